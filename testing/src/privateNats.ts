import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './freePort';

/**
 * A NATS server with JetStream of the test's own, on a free loopback port, that the test may stop
 * and start again with the same store (the shared one on 4222 must never be touched). Its
 * JetStream data lives in a temporary folder, so streams and consumers survive a restart as they
 * would on a real server.
 */
export interface PrivateNats {
  readonly port: number;
  readonly url: string;
  /** Starts the server (again) on the same port and store; resolves when it accepts connections. */
  start(): Promise<void>;
  /** `SIGTERM` (a clean stop) or `SIGKILL` (a crash); resolves when the process is gone. */
  stop(signal?: 'SIGTERM' | 'SIGKILL'): Promise<void>;
  restart(signal?: 'SIGTERM' | 'SIGKILL'): Promise<void>;
  /** SIGSTOP: the server keeps its sockets open and answers nothing, as one behind a partition; `thaw()` is SIGCONT. */
  freeze(): void;
  thaw(): void;
  isRunning(): boolean;
  /** Stops the server and removes its store. */
  dispose(): Promise<void>;
}

const NATS_SERVER = process.env.NATS_SERVER_BIN ?? '/usr/sbin/nats-server';

export async function startPrivateNats(): Promise<PrivateNats> {
  const storeDir = await mkdtemp(path.join(os.tmpdir(), 'reelay-private-nats-'));
  const port = await freePort();
  let child: ChildProcess | undefined;
  let output = '';

  const server: PrivateNats = {
    port,
    url: `nats://127.0.0.1:${port}`,
    async start() {
      if (child) return;
      const started = spawn(NATS_SERVER, ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', storeDir], { stdio: ['ignore', 'pipe', 'pipe'] });
      started.stdout?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000)));
      started.stderr?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000)));
      child = started;
      started.once('exit', () => {
        if (child === started) child = undefined;
      });
      await untilListening(port, started, () => output);
    },
    async stop(signal = 'SIGTERM') {
      const running = child;
      if (!running) return;
      const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
      running.kill(signal);
      await exited;
      child = undefined;
    },
    async restart(signal = 'SIGTERM') {
      await server.stop(signal);
      await server.start();
    },
    freeze() {
      child?.kill('SIGSTOP');
    },
    thaw() {
      child?.kill('SIGCONT');
    },
    isRunning: () => child !== undefined,
    async dispose() {
      // A frozen process does not act on SIGKILL's exit until it runs again.
      server.thaw();
      await server.stop('SIGKILL');
      await rm(storeDir, { recursive: true, force: true });
    },
  };
  try {
    await server.start();
  } catch (error) {
    await rm(storeDir, { recursive: true, force: true });
    throw error;
  }
  return server;
}

/** Resolves once the port accepts a connection and the server sends its INFO line. */
async function untilListening(port: number, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`nats-server exited with ${child.exitCode}:\n${output()}`);
    const ready = await new Promise<boolean>((resolve) => {
      const socket = net.connect({ host: '127.0.0.1', port });
      socket.setTimeout(1000, () => {
        socket.destroy();
        resolve(false);
      });
      socket.once('data', (chunk) => {
        socket.destroy();
        resolve(chunk.toString().startsWith('INFO'));
      });
      socket.once('error', () => resolve(false));
    });
    if (ready) return;
    if (Date.now() > deadline) throw new Error(`nats-server did not listen on ${port}:\n${output()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
