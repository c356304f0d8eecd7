import { execFile } from 'node:child_process';
import { chown, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './freePort';

const run = promisify(execFile);

/**
 * A Postgres server of the test's own, on a free loopback port, that the test may stop, kill and
 * start again (the shared one on 5432 must never be touched: other tests use it). One per test
 * file: `initdb` takes a second or two; starting and stopping the server takes less.
 */
export interface PrivatePostgres {
  readonly port: number;
  /** `postgres://postgres@127.0.0.1:<port>/<database>` (trust authentication). */
  url(database: string): string;
  /** Starts the server (again) on the same port and data; resolves when it accepts connections. */
  start(): Promise<void>;
  /** Stops the server: `fast` ends sessions cleanly, `immediate` is a crash-like stop. */
  stop(mode?: 'fast' | 'immediate'): Promise<void>;
  /** Stops it, then starts it again. */
  restart(mode?: 'fast' | 'immediate'): Promise<void>;
  isRunning(): boolean;
  /** Stops the server and removes its data folder. */
  dispose(): Promise<void>;
}

/** The folder of the newest installed Postgres's binaries (Debian layout), or PG_BIN. */
export function postgresBin(): string {
  if (process.env.PG_BIN) return process.env.PG_BIN;
  const root = '/usr/lib/postgresql';
  const versions = readdirSync(root)
    .filter((name) => /^\d+$/.test(name))
    .sort((a, b) => Number(b) - Number(a));
  if (!versions[0]) throw new Error(`no Postgres under ${root}: set PG_BIN to the folder of initdb and pg_ctl`);
  return path.join(root, versions[0], 'bin');
}

/**
 * initdb and postgres refuse to run as root; as root we run them as the `postgres` user, with a
 * data folder it owns. As anyone else they run as that user.
 */
export async function asServerUser(command: string, args: readonly string[]): Promise<void> {
  const asRoot = process.getuid?.() === 0;
  const [file, fullArgs] = asRoot ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, [...args]];
  await run(file, fullArgs, { timeout: 60_000 });
}

/** The `postgres` user's ids when we run as root (the server's files must be its), else undefined. */
export async function serverUserIds(): Promise<{ uid: number; gid: number } | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const [{ stdout: uid }, { stdout: gid }] = await Promise.all([run('id', ['-u', 'postgres']), run('id', ['-g', 'postgres'])]);
  return { uid: Number(uid.trim()), gid: Number(gid.trim()) };
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = postgresBin();
  const root = await mkdtemp(path.join(os.tmpdir(), 'reelay-private-pg-'));
  const dataDir = path.join(root, 'data');
  const logFile = path.join(root, 'server.log');
  const owner = await serverUserIds();
  if (owner) await chown(root, owner.uid, owner.gid);
  // No fsync: the data is thrown away, and a restart (not a power cut) keeps what was written.
  await asServerUser(path.join(bin, 'initdb'), ['-D', dataDir, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8', '--locale=C']);
  const port = await freePort();
  await writeFile(
    path.join(dataDir, 'postgresql.auto.conf'),
    [
      `port = ${port}`,
      `listen_addresses = '127.0.0.1'`,
      `unix_socket_directories = '${root}'`,
      'fsync = off',
      'full_page_writes = off',
      'max_connections = 200',
      'shared_buffers = 32MB',
      '',
    ].join('\n'),
  );
  if (owner) await chown(path.join(dataDir, 'postgresql.auto.conf'), owner.uid, owner.gid);
  let running = false;
  const pgCtl = (args: readonly string[]) => asServerUser(path.join(bin, 'pg_ctl'), ['-D', dataDir, ...args]);

  const server: PrivatePostgres = {
    port,
    url: (database) => `postgres://postgres@127.0.0.1:${port}/${database}`,
    async start() {
      if (running) return;
      // -w waits until the server accepts connections.
      await pgCtl(['-l', logFile, '-w', '-t', '60', 'start']);
      running = true;
    },
    async stop(mode = 'fast') {
      if (!running) return;
      await pgCtl(['-m', mode, '-w', '-t', '60', 'stop']);
      running = false;
    },
    async restart(mode = 'fast') {
      await server.stop(mode);
      await server.start();
    },
    isRunning: () => running,
    async dispose() {
      await server.stop('immediate').catch(() => undefined);
      await rm(root, { recursive: true, force: true });
    },
  };
  try {
    await server.start();
  } catch (error) {
    await rm(root, { recursive: true, force: true });
    throw error;
  }
  return server;
}
