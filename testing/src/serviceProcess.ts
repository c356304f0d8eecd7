import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { PROJECT_ROOT } from '@reelay/platform';
import { eventually } from './eventually';

/** One JSON line of a service's pino log. */
export interface LogLine {
  readonly msg?: string;
  readonly level?: number;
  readonly [field: string]: unknown;
}

export interface ProcessExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** A service run as a real process whose log a test reads line by line. */
export interface ServiceProcess {
  readonly child: ChildProcessWithoutNullStreams;
  /** Every JSON line it has written to stdout so far, in order. */
  readonly lines: LogLine[];
  readonly exited: Promise<ProcessExit>;
  /** Resolves once the service has logged its ready message; rejects if it exits first or takes over a minute. */
  ready(): Promise<void>;
  /** Sends `signal` (unless it has already exited) and resolves with how it ended. */
  kill(signal: NodeJS.Signals): Promise<ProcessExit>;
}

/**
 * Runs `entry` as production runs it (`node --import tsx`), collecting its JSON log lines so a test
 * can assert on what the service said. Unlike `ChildService`, which restarts a service for chaos
 * runs and keeps only its raw tail, this is for tests that read the log itself.
 */
export function startServiceProcess(name: string, entry: string, env: NodeJS.ProcessEnv, readyMessage: string): ServiceProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', entry], { cwd: PROJECT_ROOT, env, stdio: 'pipe' });
  const lines: LogLine[] = [];
  createInterface({ input: child.stdout }).on('line', (line) => {
    try {
      lines.push(JSON.parse(line) as LogLine);
    } catch {
      // Not a log line (tsx notices); tests read only JSON lines.
    }
  });
  child.stderr.resume();
  const exited = new Promise<ProcessExit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return {
    child,
    lines,
    exited,
    ready: () =>
      eventually(() => {
        if (child.exitCode !== null) throw new Error(`the ${name} exited with ${child.exitCode}: ${JSON.stringify(lines.slice(-5))}`);
        if (!lines.some((line) => line.msg === readyMessage)) throw new Error(`the ${name} has not logged '${readyMessage}' yet`);
      }, 60_000),
    kill: async (signal) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
