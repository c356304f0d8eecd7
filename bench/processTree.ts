import { readFile, readdir } from 'node:fs/promises';

/** The resident memory (bytes) of a process and all its descendants, read from /proc. */
export async function treeRssBytes(rootPid: number): Promise<{ total: number; byPid: Map<number, { rss: number; command: string }> }> {
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
    for (const [pid, ppid] of parents) if (tree.has(ppid) && !tree.has(pid)) tree.add(pid), (grew = true);
  }
  const byPid = new Map<number, { rss: number; command: string }>();
  let total = 0;
  for (const pid of tree) {
    const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
    const rss = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
    const command = (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).split('\0').filter(Boolean).slice(-1)[0] ?? '';
    byPid.set(pid, { rss, command });
    total += rss;
  }
  return { total, byPid };
}
