import { describe, it, expect, beforeEach, afterEach } from '@jest/globals';
import { START } from '@reelay/contracts';
import { createLogger, loadConfig } from '@reelay/platform';
import { createTestDatabase, eventually, freePort } from '@reelay/testing';
import { startNotifier } from '../startNotifier';
import {
  TEST_API_KEY,
  TEST_APP_ID,
  caughtUp,
  createNotifierTestEnvironment,
  notificationsOf,
  recordUpload,
  type NotifierTestEnvironment,
} from '../testing/notifierTestKit';

// OneSignal cannot be reached from here: every push goes to the loopback stand-in
// (`startOneSignalStandIn`), reached through the official client as in production.
describe('the notifier', () => {
  let env: NotifierTestEnvironment;
  beforeEach(async () => {
    env = await createNotifierTestEnvironment();
  });
  afterEach(async () => {
    await env.dispose();
  });

  it('pushes once per UploadCompleted and UploadFailed and records NotificationSent', async () => {
    const notifier = await env.startNotifier();
    const completed = await recordUpload(env.store, 'completed', { title: 'Lisbon' });
    const failed = await recordUpload(env.store, 'failed', { title: 'Porto' });

    await eventually(async () => {
      expect(await notificationsOf(env.store, completed.videoId)).toHaveLength(1);
      expect(await notificationsOf(env.store, failed.videoId)).toHaveLength(1);
    });
    await caughtUp(notifier, env.store);

    expect(env.standIn.requests).toHaveLength(2);
    for (const request of env.standIn.requests) expect(request.headers.authorization).toBe(`Key ${TEST_API_KEY}`);
    const bodyFor = (key: string) => env.standIn.requests.find((r) => (r.body as { idempotency_key?: string }).idempotency_key === key)?.body;
    expect(bodyFor(completed.terminalEventId)).toEqual({
      app_id: TEST_APP_ID,
      include_aliases: { external_id: [completed.userId] },
      target_channel: 'push',
      headings: { en: 'Your video is ready' },
      contents: { en: '"Lisbon" has been uploaded.' },
      data: { videoId: completed.videoId, status: 'UPLOADED' },
      idempotency_key: completed.terminalEventId,
    });
    expect(bodyFor(failed.terminalEventId)).toMatchObject({
      include_aliases: { external_id: [failed.userId] },
      headings: { en: 'Your video could not be uploaded' },
      data: { videoId: failed.videoId, status: 'FAILED' },
    });

    const [sent] = await notificationsOf(env.store, completed.videoId);
    const created = env.standIn.notifications().find((n) => n.idempotencyKey === completed.terminalEventId);
    expect(sent?.type).toBe('NotificationSent');
    expect(sent?.data).toEqual({ provider: 'onesignal', kind: 'UPLOAD_COMPLETED', forEventId: completed.terminalEventId, providerId: created?.id });
    expect(sent?.metadata).toEqual({ correlationId: completed.correlationId, causationId: completed.terminalEventId, userId: completed.userId });
    expect((await notificationsOf(env.store, failed.videoId))[0]?.data).toMatchObject({ kind: 'UPLOAD_FAILED', forEventId: failed.terminalEventId });

    const metrics = await (await fetch(`${notifier.opsUrl}/metrics`)).text();
    expect(metrics).toMatch(/notifier_pushes_total\{[^}]*kind="UPLOAD_COMPLETED"[^}]*outcome="sent"[^}]*\} 1/);
    expect(metrics).toMatch(/notifier_pushes_total\{[^}]*kind="UPLOAD_FAILED"[^}]*outcome="sent"[^}]*\} 1/);
    expect((await fetch(`${notifier.opsUrl}/healthz`)).status).toBe(200);
    expect((await fetch(`${notifier.opsUrl}/readyz`)).status).toBe(200);
  });

  it('sends nothing again after a restart, nor on a replay from START', async () => {
    const first = await env.startNotifier();
    const uploads = [await recordUpload(env.store, 'completed'), await recordUpload(env.store, 'failed')];
    await eventually(() => expect(env.standIn.requests).toHaveLength(2));
    await caughtUp(first, env.store);
    await first.stop();

    const restarted = await env.startNotifier();
    const later = await recordUpload(env.store, 'completed');
    await eventually(async () => expect(await notificationsOf(env.store, later.videoId)).toHaveLength(1));
    await caughtUp(restarted, env.store);
    await restarted.stop();
    expect(env.standIn.requests).toHaveLength(3);

    // A fresh read-model database has no checkpoint: this copy reads the whole log from START.
    const freshReadModel = await createTestDatabase('reelay_notifier_test');
    try {
      const replaying = await env.startNotifier(undefined, env.config({ DATABASE_URL: freshReadModel.url }));
      expect(replaying.position()).toEqual(START);
      await caughtUp(replaying, env.store);
      await replaying.stop();
    } finally {
      await freshReadModel.drop();
    }

    expect(env.standIn.requests).toHaveLength(3);
    for (const upload of [...uploads, later]) expect(await notificationsOf(env.store, upload.videoId)).toHaveLength(1);
  });

  it('pushes and records once per event when two copies run at once', async () => {
    const copies = await Promise.all([env.startNotifier(), env.startNotifier()]);
    const uploads = await Promise.all(Array.from({ length: 6 }, (_, i) => recordUpload(env.store, i % 2 === 0 ? 'completed' : 'failed')));

    await eventually(async () => {
      for (const upload of uploads) expect(await notificationsOf(env.store, upload.videoId)).toHaveLength(1);
    });
    await Promise.all(copies.map((copy) => caughtUp(copy, env.store)));

    // Both copies may have sent the same event; the key makes it one notification, as on OneSignal.
    expect(env.standIn.uniqueNotifications()).toBe(uploads.length);
    expect(new Set(env.standIn.notifications().map((n) => n.idempotencyKey))).toEqual(new Set(uploads.map((u) => u.terminalEventId)));
  });

  it('retries a provider that fails for a while, and pushes once', async () => {
    // Three attempts per batch: the first batch gives up, the restarted one succeeds.
    env.standIn.failNext(2, 503);
    env.standIn.failNext(2, 429, { errors: ['Rate limit exceeded'] }, { 'Retry-After': '0' });
    const notifier = await env.startNotifier();
    const upload = await recordUpload(env.store, 'completed');

    await eventually(async () => expect(await notificationsOf(env.store, upload.videoId)).toHaveLength(1));
    await caughtUp(notifier, env.store);

    expect(env.standIn.requests.map((r) => r.status)).toEqual([503, 503, 429, 429, 200]);
    expect(env.standIn.uniqueNotifications()).toBe(1);
    expect((await notificationsOf(env.store, upload.videoId))[0]?.type).toBe('NotificationSent');
    const metrics = await (await fetch(`${notifier.opsUrl}/metrics`)).text();
    expect(metrics).toMatch(/notifier_push_retries_total\{[^}]*provider="onesignal"[^}]*\} 3/);
  });

  it('records NotificationFailed after a permanent rejection and does not retry it', async () => {
    env.standIn.failNext(1, 400, { errors: ['Invalid app_id'] });
    const notifier = await env.startNotifier();
    const rejected = await recordUpload(env.store, 'completed');
    const next = await recordUpload(env.store, 'completed');

    await eventually(async () => {
      expect(await notificationsOf(env.store, rejected.videoId)).toHaveLength(1);
      expect(await notificationsOf(env.store, next.videoId)).toHaveLength(1);
    });
    await caughtUp(notifier, env.store);
    await notifier.stop();
    await caughtUp(await env.startNotifier(), env.store);

    const [failure] = await notificationsOf(env.store, rejected.videoId);
    expect(failure?.type).toBe('NotificationFailed');
    expect(failure?.data).toMatchObject({ provider: 'onesignal', kind: 'UPLOAD_COMPLETED', forEventId: rejected.terminalEventId, providerStatus: 400 });
    expect(failure?.data).toMatchObject({ error: expect.stringContaining('Invalid app_id') });
    expect((await notificationsOf(env.store, next.videoId))[0]?.type).toBe('NotificationSent');
    // One request for the rejected push, one for the next: no retry, not even after a restart.
    expect(env.standIn.requests.map((r) => r.status)).toEqual([400, 200]);
  });

  it('pushes nothing for a video deleted before its push', async () => {
    const notifier = await env.startNotifier();
    const deleted = await recordUpload(env.store, 'completed', { thenDeleted: true });
    const kept = await recordUpload(env.store, 'completed');

    await eventually(async () => expect(await notificationsOf(env.store, kept.videoId)).toHaveLength(1));
    await caughtUp(notifier, env.store);

    expect(await notificationsOf(env.store, deleted.videoId)).toHaveLength(0);
    expect(env.standIn.requests.map((r) => (r.body as { idempotency_key: string }).idempotency_key)).toEqual([kept.terminalEventId]);
  });

  it('stops promptly, even right after it started', async () => {
    for (let i = 0; i < 3; i += 1) {
      const notifier = await env.startNotifier();
      const started = Date.now();
      await notifier.stop();
      expect(Date.now() - started).toBeLessThan(2_000);
    }
  });

  it('gives up a retry wait on stop, and pushes the event once after the next start', async () => {
    env.standIn.failNext(1, 503);
    const patient = await env.startNotifier({ retry: { maxAttempts: 5, initialMs: 60_000, maxMs: 60_000, jitter: 'equal' }, restartDelayMs: 60_000 });
    const upload = await recordUpload(env.store, 'completed');
    await env.standIn.waitForRequests(1);

    const started = Date.now();
    await patient.stop();
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(await notificationsOf(env.store, upload.videoId)).toHaveLength(0);

    const next = await env.startNotifier();
    await eventually(async () => expect(await notificationsOf(env.store, upload.videoId)).toHaveLength(1));
    await caughtUp(next, env.store);
    expect(env.standIn.requests.map((r) => r.status)).toEqual([503, 200]);
  });

  it('writes pushes to the log when no OneSignal keys are configured', async () => {
    const config = env.config({ ONESIGNAL_APP_ID: undefined, ONESIGNAL_API_KEY: undefined });
    const notifier = await env.startNotifier(undefined, config);
    expect(notifier.provider).toBe('log');
    const upload = await recordUpload(env.store, 'completed');

    await eventually(async () => expect(await notificationsOf(env.store, upload.videoId)).toHaveLength(1));
    expect((await notificationsOf(env.store, upload.videoId))[0]?.data).toMatchObject({ provider: 'log', providerId: null });
    expect(env.standIn.requests).toHaveLength(0);
  });
});

describe('startNotifier', () => {
  it('follows an EventStoreDB event store too, and reports it unready while it cannot be reached', async () => {
    const database = await createTestDatabase();
    const config = loadConfig({ DATABASE_URL: database.url, EVENT_STORE_URL: `esdb://127.0.0.1:${await freePort()}?tls=false`, NOTIFIER_OPS_PORT: '0' });
    const notifier = await startNotifier(config, createLogger('notifier-test', 'silent'));
    try {
      const ready = await fetch(`${notifier.opsUrl}/readyz`);
      expect(ready.status).toBe(503);
      expect(await ready.text()).toMatch(/event-store/);
    } finally {
      await notifier.stop();
      await database.drop();
    }
  });
});
