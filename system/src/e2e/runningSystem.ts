import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PROJECT_ROOT, nodeArgsForEntry } from '@reelay/platform';
import { freePort } from '@reelay/testing';

export interface RunningSystem {
  /** Each port variable and the free port it was given. */
  readonly ports: Readonly<Record<string, number>>;
  readonly commandApi: string;
  readonly queryApi: string;
  /** The demo server: the page at `/demo`, both APIs proxied under its origin. */
  readonly demo: string;
  readonly dataDir: string;
  /** The launcher's pid; every service is a child of it. */
  readonly pid: number;
  readonly output: () => string;
  stop(): Promise<number | null>;
}

/** Which build of the launcher (and so of every service) runs, and from which tree. */
export interface LaunchOptions {
  /** `node --conditions=reelay-dist system/dist/start.js` (needs `npm run build`) instead of tsx. */
  readonly compiled?: boolean;
  /** The project tree to run from; the one these sources are in by default. */
  readonly root?: string;
  /** Start it as the leader of a process group of its own (its pid is the group's id), as a shell starts `npm start`. */
  readonly ownProcessGroup?: boolean;
}

/**
 * Starts the whole system exactly as `npm start` does (the same launcher, each service a process
 * of its own), on free ports and with the test's own database, stream, bucket and data folder.
 */
export async function startSystem(env: NodeJS.ProcessEnv, timeoutMs = 120_000, args: readonly string[] = [], launch: LaunchOptions = {}): Promise<RunningSystem> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'reelay-e2e-'));
  const ports = {
    COMMAND_API_PORT: await freePort(),
    QUERY_API_PORT: await freePort(),
    UPLOADER_OPS_PORT: await freePort(),
    PROJECTOR_OPS_PORT: await freePort(),
    NOTIFIER_OPS_PORT: await freePort(),
    DEMO_PORT: await freePort(),
  };
  const root = launch.root ?? PROJECT_ROOT;
  const child: ChildProcess = spawn(process.execPath, [...nodeArgsForEntry('system/src/start.ts', { compiled: launch.compiled ?? false, root }), ...args], {
    cwd: root,
    env: { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'warn', ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: launch.ownProcessGroup ?? false,
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const deadline = Date.now() + timeoutMs;
  while (!output.includes('Reelay is running')) {
    if (child.exitCode !== null || Date.now() > deadline) {
      // SIGTERM, not SIGKILL: the launcher stops the services it started, which would outlive it.
      child.kill('SIGTERM');
      await exited;
      await rm(dataDir, { recursive: true, force: true });
      throw new Error(`the system did not start:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    ports,
    commandApi: `http://127.0.0.1:${ports.COMMAND_API_PORT}`,
    queryApi: `http://127.0.0.1:${ports.QUERY_API_PORT}`,
    demo: `http://127.0.0.1:${ports.DEMO_PORT}`,
    dataDir,
    pid: child.pid as number,
    output: () => output,
    async stop() {
      child.kill('SIGTERM');
      const code = await exited;
      await rm(dataDir, { recursive: true, force: true });
      return code;
    },
  };
}
