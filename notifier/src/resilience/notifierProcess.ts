import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { PROJECT_ROOT } from '@reelay/platform';
import { eventually } from '@reelay/platform/testing';
import { TEST_API_KEY, TEST_APP_ID, type NotifierTestEnvironment } from '../notifyOnTerminalEvents/notifierTestKit';

export interface NotifierProcess {
  readonly child: ChildProcessWithoutNullStreams;
  readonly lines: { msg?: string; [field: string]: unknown }[];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  ready(): Promise<void>;
  kill(signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Runs `notifier/src/main.ts` as production runs it, against the test environment and its OneSignal stand-in. */
export function startNotifierProcess(env: NotifierTestEnvironment, overrides: Record<string, string> = {}): NotifierProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(PROJECT_ROOT, 'notifier/src/main.ts')], {
    cwd: PROJECT_ROOT,
    env: {
      ...process.env,
      DATABASE_URL: env.readModelUrl,
      EVENT_STORE_URL: env.eventStoreUrl,
      NOTIFIER_OPS_PORT: '0',
      ONESIGNAL_APP_ID: TEST_APP_ID,
      ONESIGNAL_API_KEY: TEST_API_KEY,
      ONESIGNAL_API_URL: env.standIn.url,
      LOG_LEVEL: 'info',
      ...overrides,
    },
    stdio: 'pipe',
  });
  const lines: NotifierProcess['lines'] = [];
  createInterface({ input: child.stdout }).on('line', (line) => {
    try {
      lines.push(JSON.parse(line) as NotifierProcess['lines'][number]);
    } catch {
      // not a log line
    }
  });
  child.stderr.resume();
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return {
    child,
    lines,
    exited,
    ready: () =>
      eventually(() => {
        if (child.exitCode !== null) throw new Error(`the notifier exited with ${child.exitCode}`);
        if (!lines.some((line) => line.msg === 'notifier running')) throw new Error('the notifier is not running yet');
      }, 60_000),
    kill: async (signal) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
