import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { eventually } from '@reelay/platform/testing';
import { createNotifierTestEnvironment, notificationsOf, recordUpload, type NotifierTestEnvironment } from './notifyOnTerminalEvents/notifierTestKit';

const ROOT = path.resolve(__dirname, '../..');
const TSX = path.join(ROOT, 'node_modules/.bin/tsx');

interface LogLine {
  readonly msg?: string;
  readonly level?: number;
  readonly provider?: string;
  readonly push?: { readonly videoId?: string; readonly heading?: string; readonly idempotencyKey?: string };
}

/** Runs `src/main.ts` as the service runs in production, collecting its JSON log lines. */
function runNotifierProcess(env: NodeJS.ProcessEnv): { child: ChildProcessWithoutNullStreams; lines: LogLine[]; exited: Promise<number | null> } {
  const child = spawn(TSX, [path.join(__dirname, 'main.ts')], { cwd: ROOT, env, stdio: 'pipe' });
  const lines: LogLine[] = [];
  createInterface({ input: child.stdout }).on('line', (line) => {
    try {
      lines.push(JSON.parse(line) as LogLine);
    } catch {
      // Not a log line (tsx notices); the test only reads JSON lines.
    }
  });
  child.stderr.resume();
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, lines, exited };
}

describe('the notifier process without OneSignal keys', () => {
  let env: NotifierTestEnvironment;
  let running: ReturnType<typeof runNotifierProcess> | undefined;

  beforeEach(async () => {
    env = await createNotifierTestEnvironment();
  });
  afterEach(async () => {
    if (running && running.child.exitCode === null) {
      running.child.kill('SIGKILL');
      await running.exited;
    }
    running = undefined;
    await env.dispose();
  });

  it('says at start that pushes go to the log, writes each push as a JSON line, and drains on SIGTERM', async () => {
    const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('ONESIGNAL_')));
    running = runNotifierProcess({
      ...inherited,
      DATABASE_URL: env.readModelUrl,
      EVENT_STORE_URL: env.eventStoreUrl,
      NOTIFIER_OPS_PORT: '0',
      LOG_LEVEL: 'info',
    });
    const { lines } = running;
    await eventually(() => expect(lines.some((line) => line.msg === 'notifier running')).toBe(true), 30_000);
    expect(lines.some((line) => line.level === 40 && /ONESIGNAL_APP_ID and ONESIGNAL_API_KEY are unset/.test(line.msg ?? ''))).toBe(true);

    const upload = await recordUpload(env.store, 'completed');
    const pushLine = await eventually(() => {
      const found = lines.find((line) => line.provider === 'log' && line.push?.videoId === upload.videoId);
      if (!found) throw new Error('no push line yet');
      return found;
    });
    expect(pushLine.push).toMatchObject({ heading: 'Your video is ready', idempotencyKey: upload.terminalEventId });
    await eventually(async () => expect(await notificationsOf(env.store, upload.videoId)).toHaveLength(1));
    expect((await notificationsOf(env.store, upload.videoId))[0]?.data).toMatchObject({ provider: 'log', providerId: null });

    running.child.kill('SIGTERM');
    expect(await running.exited).toBe(0);
    expect(env.standIn.requests).toHaveLength(0);
  });
});
