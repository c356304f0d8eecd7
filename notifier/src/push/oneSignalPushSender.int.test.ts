import { describe, it, expect, beforeEach, afterEach } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { ApiException } from '@onesignal/node-onesignal';
import { startOneSignalStandIn, type OneSignalStandIn } from '../testing/oneSignalStandIn';
import { OneSignalPushSender } from './oneSignalPushSender';
import { PushRejected, PushUnavailable, type Push } from './pushSender';

// OneSignal itself cannot be reached from here: these tests talk to the loopback stand-in.
describe('OneSignalPushSender against the OneSignal stand-in', () => {
  let standIn: OneSignalStandIn;
  let sender: OneSignalPushSender;
  const push = (overrides: Partial<Push> = {}): Push => ({
    userId: 'alice',
    videoId: randomUUID(),
    kind: 'UPLOAD_COMPLETED',
    title: 'Holiday',
    idempotencyKey: randomUUID(),
    ...overrides,
  });

  beforeEach(async () => {
    standIn = await startOneSignalStandIn();
    sender = new OneSignalPushSender({ appId: 'app-1', apiKey: 'rest-key-1', apiUrl: `${standIn.url}/` });
  });
  afterEach(async () => {
    await standIn.close();
  });

  it('sends the push to the user by external id, with the key, the text and the data', async () => {
    const sent = push();
    const receipt = await sender.send(sent);

    expect(standIn.requests).toHaveLength(1);
    const request = standIn.requests[0];
    expect(request?.headers.authorization).toBe('Key rest-key-1');
    expect(request?.body).toEqual({
      app_id: 'app-1',
      include_aliases: { external_id: ['alice'] },
      target_channel: 'push',
      headings: { en: 'Your video is ready' },
      contents: { en: '"Holiday" has been uploaded.' },
      data: { videoId: sent.videoId, status: 'UPLOADED' },
      idempotency_key: sent.idempotencyKey,
    });
    expect(receipt.providerId).toBe(standIn.notifications()[0]?.id);
  });

  it('gets the same notification back when the same key is sent twice', async () => {
    const sent = push();
    const first = await sender.send(sent);
    const second = await sender.send(sent);
    expect(second.providerId).toBe(first.providerId);
    expect(standIn.requests).toHaveLength(2);
    expect(standIn.uniqueNotifications()).toBe(1);
  });

  it('reports a 400 as a rejection, keeping the client error as cause', async () => {
    standIn.failNext(1, 400, { errors: ['Invalid app_id'] });
    const failure = await sender.send(push()).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(PushRejected);
    expect((failure as PushRejected).message).toContain('Invalid app_id');
    expect((failure as PushRejected).cause).toBeInstanceOf(ApiException);
    expect(standIn.uniqueNotifications()).toBe(0);
  });

  it('reports a 200 without a notification id (no subscribed device) as a rejection', async () => {
    standIn.failNext(1, 200, { id: '', errors: ['All included players are not subscribed'] });
    await expect(sender.send(push())).rejects.toThrow(/not subscribed/);
  });

  it('reports 503 and 429 as transient, with the wait OneSignal asked for', async () => {
    standIn.failNext(1, 503);
    standIn.failNext(1, 429, { errors: ['Rate limit exceeded'] }, { 'Retry-After': '2' });
    await expect(sender.send(push())).rejects.toBeInstanceOf(PushUnavailable);
    const limited = await sender.send(push()).catch((error: unknown) => error);
    expect(limited).toBeInstanceOf(PushUnavailable);
    expect((limited as PushUnavailable).retryAfterMs).toBe(2000);
  });

  it('gives up on an answer that does not come in time, as a transient failure', async () => {
    const impatient = new OneSignalPushSender({ appId: 'app-1', apiKey: 'rest-key-1', apiUrl: standIn.url, timeoutMs: 100 });
    standIn.delayNext(1, 5_000);
    const failure = await impatient.send(push()).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(PushUnavailable);
  });

  it('reports an unreachable server as transient', async () => {
    await standIn.close();
    const failure = await sender.send(push()).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(PushUnavailable);
    expect((failure as PushUnavailable).cause).toBeDefined();
    standIn = await startOneSignalStandIn();
  });
});
