import { spawn, type ChildProcess } from 'node:child_process';
import { PROJECT_ROOT } from '@reelay/platform';

/** How one run of a child service ended, and how long it took after the signal. */
export interface ChildExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** Milliseconds from the signal to the exit (for SIGTERM: the drain time). */
  readonly afterSignalMs: number;
}

/**
 * One service run as a real process (`node --import tsx <entry>`, as `npm run start:<service>`
 * runs it), for tests that kill, stop and start it again. Keeps the tail of its output so a
 * failing test can show it.
 */
export class ChildService {
  private child: ChildProcess | undefined;
  private exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }> | undefined;
  private tail = '';
  /** How many times it was started. */
  starts = 0;

  constructor(
    readonly name: string,
    private readonly entry: string,
    private env: NodeJS.ProcessEnv,
  ) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  isRunning(): boolean {
    return this.child !== undefined;
  }

  /** The last few thousand characters it wrote (stdout and stderr). */
  output(): string {
    return this.tail;
  }

  /** Changes variables for the next start. */
  setEnv(env: NodeJS.ProcessEnv): void {
    this.env = { ...this.env, ...env };
  }

  start(): void {
    if (this.child) throw new Error(`${this.name} is already running`);
    const child = spawn(process.execPath, ['--import', 'tsx', this.entry], { cwd: PROJECT_ROOT, env: this.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (chunk: Buffer) => {
      this.tail = (this.tail + chunk.toString()).slice(-20_000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.child = child;
    this.starts += 1;
    this.exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        if (this.child === child) this.child = undefined;
        resolve({ code, signal });
      }),
    );
  }

  /** Sends `signal` and resolves when the process has exited (at once when it is not running). */
  async signal(signal: NodeJS.Signals): Promise<ChildExit> {
    const child = this.child;
    const exited = this.exited;
    if (!child || !exited) return { code: null, signal: null, afterSignalMs: 0 };
    const sentAt = performance.now();
    child.kill(signal);
    const { code, signal: endedBy } = await exited;
    return { code, signal: endedBy, afterSignalMs: Math.round(performance.now() - sentAt) };
  }

  /** A crash: SIGKILL. */
  kill(): Promise<ChildExit> {
    return this.signal('SIGKILL');
  }

  /** A graceful stop: SIGTERM, then SIGKILL if it has not exited after `deadlineMs`. */
  async stop(deadlineMs = 40_000): Promise<ChildExit> {
    const child = this.child;
    if (!child) return { code: null, signal: null, afterSignalMs: 0 };
    const timer = setTimeout(() => child.kill('SIGKILL'), deadlineMs);
    try {
      return await this.signal('SIGTERM');
    } finally {
      clearTimeout(timer);
    }
  }
}
