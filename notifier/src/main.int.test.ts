import { describe, it, expect, beforeEach, afterEach } from '@jest/globals';
import path from 'node:path';
import { eventually, startServiceProcess, type ServiceProcess } from '@reelay/testing';
import { createNotifierTestEnvironment, notificationsOf, recordUpload, type NotifierTestEnvironment } from './testing/notifierTestKit';

/** The fields of the notifier's "push" log line that this test reads. */
interface PushLine {
  readonly provider?: string;
  readonly push?: { readonly videoId?: string; readonly heading?: string; readonly idempotencyKey?: string };
}

describe('the notifier process without OneSignal keys', () => {
  let env: NotifierTestEnvironment;
  let running: ServiceProcess | undefined;

  beforeEach(async () => {
    env = await createNotifierTestEnvironment();
  });
  afterEach(async () => {
    await running?.kill('SIGKILL');
    running = undefined;
    await env.dispose();
  });

  it('says at start that pushes go to the log, writes each push as a JSON line, and drains on SIGTERM', async () => {
    const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('ONESIGNAL_')));
    const withoutKeys = {
      ...inherited,
      DATABASE_URL: env.readModelUrl,
      EVENT_STORE_URL: env.eventStoreUrl,
      NOTIFIER_OPS_PORT: '0',
      LOG_LEVEL: 'info',
    };
    running = startServiceProcess('notifier', path.join(__dirname, 'main.ts'), withoutKeys, 'notifier running');
    const { lines } = running;
    await running.ready();
    expect(lines.some((line) => line.level === 40 && /ONESIGNAL_APP_ID and ONESIGNAL_API_KEY are unset/.test(line.msg ?? ''))).toBe(true);

    const upload = await recordUpload(env.store, 'completed');
    const pushLine = await eventually(() => {
      const found = (lines as PushLine[]).find((line) => line.provider === 'log' && line.push?.videoId === upload.videoId);
      if (!found) throw new Error('no push line yet');
      return found;
    });
    expect(pushLine.push).toMatchObject({ heading: 'Your video is ready', idempotencyKey: upload.terminalEventId });
    await eventually(async () => expect(await notificationsOf(env.store, upload.videoId)).toHaveLength(1));
    expect((await notificationsOf(env.store, upload.videoId))[0]?.data).toMatchObject({ provider: 'log', providerId: null });

    expect(await running.kill('SIGTERM')).toEqual({ code: 0, signal: null });
    expect(env.standIn.requests).toHaveLength(0);
  });
});
