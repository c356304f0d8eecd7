import { describe, it, expect, beforeEach, afterEach } from '@jest/globals';
import { eventually } from '@reelay/testing';
import { createNotifierTestEnvironment, notificationsOf, recordUpload, type NotifierTestEnvironment } from '../testing/notifierTestKit';
import { startNotifierProcess, type NotifierProcess } from './notifierProcess';

describe('a notifier process that dies or stops around a push', () => {
  let env: NotifierTestEnvironment;
  const processes: NotifierProcess[] = [];

  const start = async () => {
    const notifier = startNotifierProcess(env);
    processes.push(notifier);
    await notifier.ready();
    return notifier;
  };

  beforeEach(async () => {
    env = await createNotifierTestEnvironment();
  });
  afterEach(async () => {
    await Promise.all(processes.splice(0).map((p) => p.kill('SIGKILL')));
    await env.dispose();
  });

  it('killed after OneSignal accepted the push but before recording it, pushes nothing new after a restart: the user gets one push', async () => {
    const first = await start();
    let killed: Promise<unknown> | undefined;
    // The crash lands exactly between the provider's acceptance and the notifier's append.
    env.standIn.onNextAccepted(async () => {
      killed = first.kill('SIGKILL');
      await killed;
    });

    const upload = await recordUpload(env.store, 'completed');
    await eventually(() => expect(killed).toBeDefined(), 30_000);
    expect(await first.exited).toEqual({ code: null, signal: 'SIGKILL' });
    expect(env.standIn.uniqueNotifications()).toBe(1);
    expect(await notificationsOf(env.store, upload.videoId)).toHaveLength(0);

    await start();
    await eventually(async () => expect(await notificationsOf(env.store, upload.videoId)).toHaveLength(1), 30_000);

    // Sent twice with the same idempotency key; OneSignal (and its stand-in) made one notification.
    const keys = env.standIn.requests.map((r) => (r.body as { idempotency_key?: string }).idempotency_key);
    expect(keys).toEqual([upload.terminalEventId, upload.terminalEventId]);
    expect(env.standIn.uniqueNotifications()).toBe(1);
    const recorded = (await notificationsOf(env.store, upload.videoId))[0];
    expect(recorded?.data).toMatchObject({ forEventId: upload.terminalEventId, providerId: env.standIn.notifications()[0]?.id });
  });

  it('on SIGTERM finishes the push in flight, records it, exits cleanly, and a restart pushes nothing again', async () => {
    const first = await start();
    let exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }> | undefined;
    // SIGTERM arrives while OneSignal holds the push: accepted, not yet answered.
    env.standIn.onNextAccepted(async () => {
      first.child.kill('SIGTERM');
      exit = first.exited;
      await new Promise((resolve) => setTimeout(resolve, 500));
    });

    const upload = await recordUpload(env.store, 'failed');
    await eventually(() => expect(exit).toBeDefined(), 30_000);
    expect(await exit).toEqual({ code: 0, signal: null });
    expect(first.lines.some((line) => line.msg === 'push sent')).toBe(true);
    expect(await notificationsOf(env.store, upload.videoId)).toHaveLength(1);

    const second = await start();
    const other = await recordUpload(env.store, 'completed');
    await eventually(async () => expect(await notificationsOf(env.store, other.videoId)).toHaveLength(1), 30_000);
    expect(env.standIn.uniqueNotifications()).toBe(2);
    expect(env.standIn.requests).toHaveLength(2);
    expect(await second.kill('SIGTERM')).toEqual({ code: 0, signal: null });
  });
});
