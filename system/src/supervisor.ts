import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { backoffDelay, type BackoffPolicy } from '@reelay/contracts/timing';
import { PROJECT_ROOT, nodeArgsForEntry, type Logger } from '@reelay/platform/core';

export interface ServiceProcessSpec {
  readonly name: string;
  /**
   * Its entry file as a source path relative to the project root: run with tsx from the sources
   * (no build step), or its compiled `dist/` file when the launcher itself runs compiled.
   */
  readonly sourceEntry: string;
  /** Compiled, run its bundle (`<pkg>/dist/bundle/main.js`, as the image does) instead of tsc's output. */
  readonly bundled?: boolean;
  readonly env: NodeJS.ProcessEnv;
  /** Flags for its Node.js runtime, before the entry. */
  readonly nodeFlags?: readonly string[];
  /** Takes each line it writes to stdout (to pretty-print it); unset: stdout is the launcher's own. */
  readonly onStdoutLine?: (line: string) => void;
}

const STOP_DEADLINE_MS = 30_000;
const RESTART_DELAY: BackoffPolicy = { initialMs: 500, maxMs: 10_000, jitter: 'none' };

/**
 * Runs one service as a child process of its own (so it can crash, or be killed, alone) and
 * starts it again when it dies unexpectedly, backing off when it keeps dying.
 */
export class SupervisedProcess {
  private child: ChildProcess | undefined;
  private stopping = false;
  private restarts = 0;
  private restartTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly spec: ServiceProcessSpec,
    private readonly logger: Logger,
  ) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  start(): void {
    const child = spawn(process.execPath, [...(this.spec.nodeFlags ?? []), ...nodeArgsForEntry(this.spec.sourceEntry, { bundled: this.spec.bundled })], {
      // `--import tsx` is resolved from the working directory: the project's, wherever we were started.
      cwd: PROJECT_ROOT,
      env: this.spec.env,
      stdio: ['ignore', this.spec.onStdoutLine ? 'pipe' : 'inherit', 'inherit'],
    });
    if (child.stdout && this.spec.onStdoutLine) createInterface({ input: child.stdout, crlfDelay: Infinity }).on('line', this.spec.onStdoutLine);
    this.child = child;
    const startedAt = Date.now();
    child.once('exit', (code, signal) => {
      if (this.child === child) this.child = undefined;
      if (this.stopping) return;
      // A process that ran for a while before dying gets a quick restart again.
      if (Date.now() - startedAt > 60_000) this.restarts = 0;
      this.restarts += 1;
      const delay = backoffDelay(this.restarts, RESTART_DELAY);
      this.logger.error({ service: this.spec.name, code, signal, restartInMs: delay }, 'service exited; restarting');
      this.restartTimer = setTimeout(() => this.start(), delay);
    });
  }

  /** SIGTERM, then SIGKILL if it has not drained by the deadline; true when it exited cleanly. */
  async stop(): Promise<boolean> {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    const child = this.child;
    if (!child) return true;
    if (child.exitCode !== null) return child.exitCode === 0;
    return new Promise<boolean>((resolve) => {
      const deadline = setTimeout(() => child.kill('SIGKILL'), STOP_DEADLINE_MS);
      child.once('exit', (code) => {
        clearTimeout(deadline);
        if (code !== 0) this.logger.error({ service: this.spec.name, code }, 'service did not stop cleanly');
        resolve(code === 0);
      });
      child.kill('SIGTERM');
    });
  }
}
