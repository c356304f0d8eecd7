import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { EMBEDDED_S3_CREDENTIALS, PROJECT_ROOT, nodeArgsForEntry } from '@reelay/platform';
import { startEmbeddedS3 } from '@reelay/testing/embeddedS3';
import { createTestDatabase, freePort, uniqueBucketName, uniqueName } from '@reelay/testing';
import { SERVICE_ENTRIES, SERVICE_ENVIRONMENT, type ServiceEntry } from '../../system/src/serviceEntries';
import { startBenchSystem, type BenchSystem } from '../harness/benchSystem';
import { childPids, processRssBytes, treePssBytes, treeRssBytes } from '../harness/processTree';
import { MiB } from '../harness/videoFile';
import { stats, type BenchRow, type Scenario } from '../scenario';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
/**
 * How long a service sits after /readyz before its memory is read. V8's memory reducer gives
 * back the young generation start-up grew only once it judges the allocation rate low, which
 * took 30–60 s and sometimes longer on the shared machine (docs/production.md, "Footprint"):
 * at 20 s the reading includes it; `BENCH_IDLE_MS=60000` reads what is left after.
 */
const IDLE_MS = Number(process.env.BENCH_IDLE_MS ?? 20_000);
const MODES = [
  { name: 'tsx', compiled: false },
  { name: 'compiled', compiled: true },
] as const;

const PORT_VARIABLES = ['COMMAND_API_PORT', 'QUERY_API_PORT', 'UPLOADER_OPS_PORT', 'PROJECTOR_OPS_PORT', 'NOTIFIER_OPS_PORT', 'DEMO_PORT'] as const;

interface ServiceFigures {
  readonly readyMs: number;
  readonly idleRss: number;
}

async function readyAt(url: string, deadline: number): Promise<number> {
  for (;;) {
    const ok = await fetch(url).then(
      async (response) => {
        await response.arrayBuffer();
        return response.status === 200;
      },
      () => false,
    );
    if (ok) return performance.now();
    if (Date.now() > deadline) throw new Error(`${url} was not ready in time`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** One service started alone as the image starts it (or through tsx): spawn → /readyz 200, then its idle RSS. */
async function measureService(service: ServiceEntry, compiled: boolean, env: NodeJS.ProcessEnv): Promise<ServiceFigures> {
  const ports = Object.fromEntries(await Promise.all(PORT_VARIABLES.map(async (name) => [name, String(await freePort())])));
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'reelay-footprint-'));
  const childEnv = { ...SERVICE_ENVIRONMENT, ...process.env, ...env, ...ports, DATA_DIR: dataDir, LOG_LEVEL: 'warn' };
  const started = performance.now();
  const child = spawn(process.execPath, [...(service.nodeFlags ?? []), ...nodeArgsForEntry(service.sourceEntry, { compiled, bundled: true })], {
    cwd: PROJECT_ROOT,
    env: childEnv,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    const port = service.port({ ...ports } as never);
    const ready = await readyAt(`http://127.0.0.1:${port}/readyz`, Date.now() + 120_000).catch((error: Error) => {
      throw new Error(`${service.name}: ${error.message}\n${stderr}`);
    });
    await new Promise((resolve) => setTimeout(resolve, IDLE_MS));
    return { readyMs: ready - started, idleRss: await processRssBytes(child.pid as number) };
  } finally {
    child.kill('SIGTERM');
    await exited;
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** The whole system under the launcher: the launcher's RSS, each service's, and the total. */
async function measureSystem(compiled: boolean): Promise<{ launcher: number; total: number; proportional: number }> {
  const bench: BenchSystem = await startBenchSystem({}, { compiled });
  try {
    await new Promise((resolve) => setTimeout(resolve, IDLE_MS));
    const total = await treeRssBytes(bench.system.pid);
    const proportional = await treePssBytes(bench.system.pid);
    const launcher = await processRssBytes(bench.system.pid);
    const children = await childPids(bench.system.pid);
    for (const pid of children) {
      const command = (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).split('\0').join(' ');
      process.stderr.write(`bench: footprint ${compiled ? 'compiled' : 'tsx'}: ${((await processRssBytes(pid)) / MiB).toFixed(1)} MiB ${command}\n`);
    }
    return { launcher, total, proportional };
  } finally {
    await bench.stop();
  }
}

/** A database, stream, bucket and S3 server of the scenario's own for services started alone. */
async function startDependencies(): Promise<{ env: NodeJS.ProcessEnv; stop(): Promise<void> }> {
  const s3Dir = await mkdtemp(path.join(os.tmpdir(), 'reelay-footprint-s3-'));
  const s3 = await startEmbeddedS3({ directory: s3Dir });
  const database = await createTestDatabase('reelay_footprint');
  return {
    env: {
      DATABASE_URL: database.url,
      JOBS_STREAM: uniqueName('FOOTPRINT'),
      S3_ENDPOINT: s3.endpoint,
      S3_BUCKET: uniqueBucketName('reelay-footprint'),
      S3_ACCESS_KEY_ID: EMBEDDED_S3_CREDENTIALS.accessKeyId,
      S3_SECRET_ACCESS_KEY: EMBEDDED_S3_CREDENTIALS.secretAccessKey,
      AUTH_JWT_SECRET: randomBytes(32).toString('base64'),
    },
    async stop() {
      await s3.stop();
      await database.drop();
      await rm(s3Dir, { recursive: true, force: true });
    },
  };
}

/** `npm run build`: tsc and the services' bundles, which the compiled rows run as the image does. */
function compiledBuildIsCurrent(): void {
  const build = spawnSync('npm', ['run', '--silent', 'build'], { cwd: PROJECT_ROOT, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('npm run build failed: the compiled build cannot be measured');
}

/**
 * Idle memory and start time of every service, from the TypeScript sources through tsx (as
 * `npm start` runs them) and from the compiled build (as the image runs them), side by side;
 * and the whole system's idle memory under the launcher. The S3 server (s3rver, a development
 * stand-in for a real S3) is the benchmark's own and not counted.
 */
export const footprint: Scenario = {
  name: 'footprint',
  async run(): Promise<BenchRow[]> {
    compiledBuildIsCurrent();
    const dependencies = await startDependencies();
    const figures = new Map<string, Figures>();
    try {
      for (const round of Array.from({ length: ROUNDS }, (_, i) => i)) {
        for (const service of SERVICE_ENTRIES) {
          for (const mode of MODES) {
            const key = `${service.name}/${mode.name}`;
            const measured = await measureService(service, mode.compiled, dependencies.env);
            const entry = figures.get(key) ?? { readyMs: [], idleRss: [] };
            entry.readyMs.push(measured.readyMs);
            entry.idleRss.push(measured.idleRss / MiB);
            figures.set(key, entry);
            process.stderr.write(`bench: footprint ${key}: ready in ${Math.round(measured.readyMs)} ms, idle RSS ${(measured.idleRss / MiB).toFixed(1)} MiB\n`);
          }
        }
        process.stderr.write(`bench: footprint round ${round + 1}/${ROUNDS}\n`);
      }
    } finally {
      await dependencies.stop();
    }
    const rows: BenchRow[] = [];
    for (const service of SERVICE_ENTRIES) {
      const tsx = measuredFigures(figures, `${service.name}/tsx`);
      const compiled = measuredFigures(figures, `${service.name}/compiled`);
      rows.push(row(`${service.name}: idle RSS`, 'MiB', compiled.idleRss, tsx.idleRss, '≤ 80 MiB compiled'));
      rows.push(row(`${service.name}: start → /readyz`, 'ms', compiled.readyMs, tsx.readyMs, '≤ 2000 ms compiled'));
    }
    return rows;
  },
};

/** The whole system under its launcher, from the sources and compiled: the launcher's RSS and everything's. */
export const footprintSystem: Scenario = {
  name: 'footprint-system',
  async run(): Promise<BenchRow[]> {
    compiledBuildIsCurrent();
    const systems = { tsx: await measureSystem(false), compiled: await measureSystem(true) };
    return [
      row('launcher: idle RSS', 'MiB', [systems.compiled.launcher / MiB], [systems.tsx.launcher / MiB], ''),
      row('whole system (launcher + 6 services): idle RSS, summed', 'MiB', [systems.compiled.total / MiB], [systems.tsx.total / MiB], 'shared pages once per process'),
      row('whole system (launcher + 6 services): idle PSS, what the machine spends', 'MiB', [systems.compiled.proportional / MiB], [systems.tsx.proportional / MiB], '≤ 400 MiB compiled'),
    ];
  },
};

type Figures = { readyMs: number[]; idleRss: number[] };

/** A service's figures in one mode; every round measures every service, so none can be missing. */
function measuredFigures(figures: ReadonlyMap<string, Figures>, key: string): Figures {
  const measured = figures.get(key);
  if (!measured) throw new Error(`bench: footprint measured nothing for ${key}`);
  return measured;
}

function row(metric: string, unit: string, compiled: number[], tsx: number[], goal: string): BenchRow {
  const reelay = stats(compiled);
  const baseline = stats(tsx);
  return { scenario: 'footprint (compiled vs tsx)', metric, unit, reelay, baseline, ratio: reelay.median / baseline.median, goal };
}
