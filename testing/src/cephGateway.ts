/**
 * A real S3 for tests: a single-node Ceph on loopback (one monitor, one memstore OSD, no manager)
 * and its S3 gateway `radosgw` (beast frontend), with one S3 user whose keys the caller gives.
 *
 * A TypeScript launcher rather than a shell script: jest's globalSetup and the bench start it
 * in-process and get its endpoint and keys back as values; ports come from the same `freePort`
 * as every other test service; and a watchdog child (a shell reading our pipe) SIGKILLs every
 * daemon when this process dies, so a killed jest run leaves no daemons behind
 * (`setpriv --pdeathsig` is not enough: ceph-osd and radosgw drop it as they start). Everything
 * (config, monitor store, sockets, logs) lives under one temporary folder, so several clusters
 * run side by side; `stop()` ends the daemons and removes the folder.
 *
 * Settings (see docs/s3.md): auth none with `crc` messenger modes (with auth none the default
 * `secure` mode loops on -13), pool size 1, no autoscaler, no manager; short Paxos and heartbeat
 * intervals cut the seconds a cluster spends agreeing with itself. The S3 user is created before
 * the gateway starts: run side by side, radosgw-admin and radosgw waited seconds on each other.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './freePort';

export interface CephGatewayOptions {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** RAM the memstore OSD may hold (objects, with their metadata). Default 2 GiB. */
  readonly memstoreBytes?: number;
  /** Parent of the cluster's temporary folder (the OS's by default). */
  readonly parentDirectory?: string;
  readonly startTimeoutMs?: number;
}

export interface CephGateway {
  /** e.g. `http://127.0.0.1:21345`: path-style S3 with the given keys. */
  readonly endpoint: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** The zonegroup's name: the only LocationConstraint the gateway accepts. */
  readonly zonegroup: string;
  readonly directory: string;
  /** Milliseconds from the call to a gateway that answers S3 for the user. */
  readonly startedInMs: number;
  /** Ends the daemons and removes the folder; safe to call twice. */
  stop(): Promise<void>;
}

export class CephGatewayStartFailed extends Error {
  override readonly name = 'CephGatewayStartFailed';
}

const BINARIES = ['monmaptool', 'ceph-mon', 'ceph-osd', 'ceph', 'radosgw', 'radosgw-admin'] as const;
const MESSENGER_PORTS = 12;

/** Whether Debian's ceph-mon, ceph-osd, ceph-common and radosgw are installed. */
export function cephInstalled(): boolean {
  return BINARIES.every((name) => ['/usr/bin', '/usr/sbin', '/bin'].some((dir) => existsSync(path.join(dir, name))));
}

export async function startCephGateway(options: CephGatewayOptions): Promise<CephGateway> {
  const startedAt = Date.now();
  const deadline = startedAt + (options.startTimeoutMs ?? 90_000);
  if (!cephInstalled()) throw new CephGatewayStartFailed(`Ceph is not installed (needs ${BINARIES.join(', ')}: apt-get install ceph-mon ceph-osd ceph-common radosgw)`);
  const directory = await mkdtemp(path.join(options.parentDirectory ?? os.tmpdir(), 'reelay-ceph-'));
  const daemons: ChildProcess[] = [];
  const watchdog = startWatchdog();
  const daemon = (command: string, args: string[]) => {
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr?.resume();
    child.on('error', () => undefined);
    if (child.pid !== undefined) watchdog.stdin?.write(`${child.pid}\n`);
    daemons.push(child);
  };
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await Promise.all(daemons.map((child) => endProcess(child)));
    watchdog.stdin?.end();
    await rm(directory, { recursive: true, force: true });
  };
  try {
    const ports = { mon: await freePort(), gateway: await freePort(), messenger: await freePortRun(MESSENGER_PORTS) };
    const conf = path.join(directory, 'ceph.conf');
    const fsid = randomUUID();
    await writeFile(conf, cephConf({ directory, fsid, ports, memstoreBytes: options.memstoreBytes ?? 2 * 1024 ** 3 }));
    await Promise.all(['run', 'log', 'mon/ceph-a', 'osd/ceph-0'].map((sub) => mkdir(path.join(directory, sub), { recursive: true })));
    const ceph = (command: string, ...args: string[]) => run(command, ['-c', conf, ...args], deadline);

    await run('monmaptool', ['--create', '--addv', 'a', `[v2:127.0.0.1:${ports.mon}]`, '--fsid', fsid, path.join(directory, 'monmap')], deadline);
    await ceph('ceph-mon', '--mkfs', '-i', 'a', '--monmap', path.join(directory, 'monmap'));
    daemon('ceph-mon', ['-c', conf, '-f', '-i', 'a']);
    const osdUuid = randomUUID();
    await ceph('ceph', 'osd', 'new', osdUuid);
    await ceph('ceph-osd', '--mkfs', '-i', '0', '--osd-uuid', osdUuid);
    daemon('ceph-osd', ['-c', conf, '-f', '-i', '0']);
    // The user goes in before the gateway starts: radosgw-admin then creates the gateway's pools
    // alone. Run side by side, the two wait seconds on each other while setting up the zone.
    await ceph('radosgw-admin', 'user', 'create', '--uid=reelay-test', '--display-name=reelay test',
      `--access-key=${options.accessKeyId}`, `--secret=${options.secretAccessKey}`);
    daemon('radosgw', ['-c', conf, '-f', '-n', 'client.rgw.a']);
    const endpoint = `http://127.0.0.1:${ports.gateway}`;
    await waitForGateway(endpoint, daemons, deadline, directory);
    return {
      endpoint,
      accessKeyId: options.accessKeyId,
      secretAccessKey: options.secretAccessKey,
      zonegroup: 'default',
      directory,
      startedInMs: Date.now() - startedAt,
      stop,
    };
  } catch (error) {
    const logs = await logTail(directory);
    await stop();
    throw new CephGatewayStartFailed(`the Ceph gateway did not start: ${(error as Error).message}${logs}`, { cause: error });
  }
}

function cephConf(c: { directory: string; fsid: string; ports: { mon: number; gateway: number; messenger: number }; memstoreBytes: number }): string {
  const d = c.directory;
  return `[global]
fsid = ${c.fsid}
mon host = v2:127.0.0.1:${c.ports.mon}
mon initial members = a
public addr = 127.0.0.1
cluster addr = 127.0.0.1
ms bind msgr1 = false
ms bind port min = ${c.ports.messenger}
ms bind port max = ${c.ports.messenger + MESSENGER_PORTS - 1}
auth cluster required = none
auth service required = none
auth client required = none
ms mon client mode = crc
ms mon cluster mode = crc
ms mon service mode = crc
ms client mode = crc
ms cluster mode = crc
ms service mode = crc
osd pool default size = 1
osd pool default min size = 1
mon allow pool size one = true
mon warn on pool no redundancy = false
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
osd crush chooseleaf type = 0
paxos propose interval = 0.01
paxos min wait = 0.001
mon tick interval = 1
osd heartbeat interval = 1
osd mon report interval = 1
run dir = ${d}/run
admin socket = ${d}/run/$name.asok
pid file = ${d}/run/$name.pid
log file = ${d}/log/$name.log
keyring = ${d}/keyring
mon data = ${d}/mon/$cluster-$id
osd data = ${d}/osd/$cluster-$id
osd objectstore = memstore
memstore device bytes = ${c.memstoreBytes}
[client.rgw.a]
rgw frontends = beast endpoint=127.0.0.1:${c.ports.gateway}
rgw data = ${d}/rgw
`;
}

/**
 * A shell that collects daemon pids from our pipe and SIGKILLs them when the pipe closes: at
 * `stop()`, or when this process dies however it dies (the kernel closes the pipe then).
 */
function startWatchdog(): ChildProcess {
  const watchdog = spawn('sh', ['-c', 'pids=""; while read -r pid; do pids="$pids $pid"; done; [ -n "$pids" ] && kill -9 $pids 2>/dev/null; exit 0'], {
    stdio: ['pipe', 'ignore', 'ignore'],
    detached: true,
  });
  // Neither the child nor its pipe may keep this process alive.
  watchdog.unref();
  const pipe = watchdog.stdin as (NodeJS.WritableStream & { unref?: () => void }) | null;
  pipe?.unref?.();
  return watchdog;
}

/** Runs a short command to its end, failing with its output when it fails or outlives the deadline. */
function run(command: string, args: string[], deadline: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout?.setEncoding('utf8').on('data', (text: string) => (output += text));
    child.stderr?.setEncoding('utf8').on('data', (text: string) => (output += text));
    const timer = setTimeout(() => child.kill('SIGKILL'), Math.max(1, deadline - Date.now()));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(output);
      else reject(new Error(`${command} ${args.slice(2).join(' ')} exited with ${code ?? signal}: ${output.trim().slice(-2000)}`));
    });
  });
}

async function waitForGateway(endpoint: string, daemons: readonly ChildProcess[], deadline: number, directory: string): Promise<void> {
  for (;;) {
    const dead = daemons.find((child) => child.exitCode !== null || child.signalCode !== null);
    if (dead) throw new Error(`${dead.spawnfile} exited with ${dead.exitCode ?? dead.signalCode}`);
    const status = await fetch(endpoint, { signal: AbortSignal.timeout(2_000) }).then((answer) => answer.status, () => 0);
    // An anonymous ListBuckets answers 200 (an empty list) once the gateway serves S3.
    if (status === 200) return;
    if (Date.now() > deadline) throw new Error(`no S3 answer from ${endpoint} in time (folder ${directory})`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The first of `count` consecutive free ports (the OSD binds several messengers in its range). */
async function freePortRun(count: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const first = await freePort();
    const rest = await Promise.all(Array.from({ length: count - 1 }, (_, i) => freePort([first + i + 1, first + i + 2]).catch(() => undefined)));
    if (rest.every((port) => port !== undefined)) return first;
  }
  throw new Error(`no run of ${count} free ports`);
}

async function endProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // The data is in memory and about to be removed: nothing to flush, so no grace period.
  child.kill('SIGKILL');
  await exited;
}

async function logTail(directory: string): Promise<string> {
  const tails = await Promise.all(
    ['ceph-mon.a', 'osd.0', 'client.rgw.a'].map(async (name) => {
      const text = await readFile(path.join(directory, 'log', `${name}.log`), 'utf8').catch(() => '');
      return text ? `\n--- ${name}.log ---\n${text.split('\n').slice(-15).join('\n')}` : '';
    }),
  );
  return tails.join('');
}
