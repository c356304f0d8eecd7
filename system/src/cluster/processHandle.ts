import { spawn, type ChildProcess } from 'node:child_process';
import { eventually } from '@reelay/testing';

/**
 * An engine's process (nats-server, haproxy) that the cluster can crash (SIGKILL), freeze
 * (SIGSTOP, a node cut off) and thaw (SIGCONT), and start again with the same arguments. Keeps
 * the tail of its output for error messages.
 */
export class ProcessHandle {
  private child: ChildProcess | undefined;
  private tail = '';
  private frozen = false;

  constructor(
    readonly name: string,
    private readonly command: string,
    private readonly args: readonly string[],
  ) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  isRunning(): boolean {
    return this.child !== undefined;
  }

  isFrozen(): boolean {
    return this.frozen;
  }

  output(): string {
    return this.tail;
  }

  start(): void {
    if (this.child) return;
    const child = spawn(this.command, [...this.args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (chunk: Buffer) => {
      this.tail = (this.tail + chunk.toString()).slice(-8000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    child.once('exit', () => {
      if (this.child === child) this.child = undefined;
    });
    this.child = child;
    this.frozen = false;
  }

  /** Sends `signal` and resolves when the process is gone (SIGCONT first, should it be frozen). */
  async stop(signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<void> {
    const child = this.child;
    if (!child) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    if (this.frozen) child.kill('SIGCONT');
    this.frozen = false;
    child.kill(signal);
    const timer = signal === 'SIGTERM' ? setTimeout(() => child.kill('SIGKILL'), 15_000) : undefined;
    await exited;
    clearTimeout(timer);
  }

  /** SIGSTOP: the process holds its sockets but answers nothing, as a node behind a partition. */
  freeze(): void {
    if (!this.child || this.frozen) return;
    this.child.kill('SIGSTOP');
    this.frozen = true;
  }

  /** SIGCONT: the partition heals. */
  thaw(): void {
    if (!this.child || !this.frozen) return;
    this.child.kill('SIGCONT');
    this.frozen = false;
  }
}

/** Polls `check` until it resolves true, or throws after `timeoutMs` with `describe()`. */
export async function until(check: () => Promise<boolean>, timeoutMs: number, describe: () => string): Promise<void> {
  await eventually(
    async () => {
      if (!(await check().catch(() => false))) throw new Error(describe());
    },
    timeoutMs,
    100,
  );
}

/** The HTTP status of a GET, or 0 when nothing answers. */
export async function httpStatus(url: string, timeoutMs = 2000): Promise<number> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    await response.arrayBuffer();
    return response.status;
  } catch {
    return 0;
  }
}
