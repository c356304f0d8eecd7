import { readFile, readdir } from 'node:fs/promises';

/** A process and all its descendants, read from /proc. */
async function treePids(rootPid: number): Promise<Set<number>> {
  const parents = new Map<number, number>();
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    // The command name may hold spaces and parentheses: the fields start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields[1]) parents.set(Number(entry), Number(fields[1]));
  }
  const tree = new Set([rootPid]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [pid, ppid] of parents) {
      if (tree.has(ppid) && !tree.has(pid)) {
        tree.add(pid);
        grew = true;
      }
    }
  }
  return tree;
}

/** The resident memory (bytes) of a process and all its descendants. */
export async function treeRssBytes(rootPid: number): Promise<number> {
  let total = 0;
  for (const pid of await treePids(rootPid)) total += await processRssBytes(pid);
  return total;
}

/**
 * What a process tree costs the machine (bytes): the sum of its proportional set sizes, where a
 * page shared by n processes (the node binary's code, read-only libraries) counts 1/n in each.
 * The sum of RSS counts those pages once per process: seven Node.js processes share ~50 MiB.
 */
export async function treePssBytes(rootPid: number): Promise<number> {
  let total = 0;
  for (const pid of await treePids(rootPid)) {
    const rollup = await readFile(`/proc/${pid}/smaps_rollup`, 'utf8').catch(() => '');
    total += Number(/^Pss:\s+(\d+) kB/m.exec(rollup)?.[1] ?? 0) * 1024;
  }
  return total;
}

/** Samples a process tree's memory every `intervalMs` until stopped; resolves with the peak. */
export function samplePeakRss(rootPid: number, intervalMs = 100): { stop(): Promise<number> } {
  let peak = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      peak = Math.max(peak, await treeRssBytes(rootPid));
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return peak;
    },
  };
}

/** The resident memory (bytes) of one process, without its children; 0 once it is gone. */
export async function processRssBytes(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
}

/** The ids of a process's direct children. */
export async function childPids(parentPid: number): Promise<number[]> {
  const children: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === parentPid) children.push(Number(entry));
  }
  return children;
}
