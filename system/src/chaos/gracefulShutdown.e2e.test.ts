import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { createKnex } from '@reelay/platform';
import { openEventStore, type OpenedEventStore } from '@reelay/event-store';
import { createTestDatabase, eventually, startThrottlingProxy, startUrlProxy, testS3Endpoint, uniqueName, type ChildExit, type TcpProxy } from '@reelay/testing';
import type { Knex } from 'knex';
import { startChaosSystem, type ChaosSystem, type ServiceName } from './chaosSystem';
import { appendJourney } from './journeys';
import { randomVideo, sendVideo, videoStatus } from './phone';
import { readModelDrift } from './readModelDrift';

/**
 * SIGTERM to each service while it has work in flight: it stops taking new work, finishes or
 * hands back what it holds, and exits 0 — before the services' own shutdown deadline (25 s),
 * past which they exit 1. The drain times are measured and printed, never asserted.
 */
describe('graceful shutdown of every service', () => {
  let database: { url: string; drop(): Promise<void> };
  let system: ChaosSystem;
  let slowS3: { url: string; close(): Promise<void> };
  let pushes: (TcpProxy & { url: string }) | undefined;
  let events: OpenedEventStore;
  let knex: Knex;
  const drained: Record<string, number> = {};

  const typesOf = async (videoId: string) => (await events.store.readStream(`video-${videoId}`)).map((e) => e.type);
  const terminate = async (name: ServiceName): Promise<ChildExit> => {
    const exit = await system.service(name).stop();
    drained[name] = exit.afterSignalMs;
    return exit;
  };

  beforeAll(async () => {
    database = await createTestDatabase('reelay_shutdown');
    // Uploads crawl (about 400 KB/s), so that one is surely in flight when the uploader is told to stop.
    slowS3 = await startThrottlingProxy(testS3Endpoint(), { bytesPerSecond: 400_000 });
    system = await startChaosSystem({
      databaseUrl: database.url,
      natsUrl: process.env.TEST_NATS_URL ?? 'nats://127.0.0.1:4222',
      s3Endpoint: slowS3.url,
      env: { JOBS_STREAM: uniqueName('SHUTDOWN'), UPLOAD_IDLE_TIMEOUT_MS: '20000', STAGING_SWEEP_GRACE_MS: '30000' },
      oneSignalVia: async (url) => {
        pushes = await startUrlProxy(url);
        return pushes.url;
      },
    });
    events = await openEventStore({ EVENT_STORE_URL: database.url }, { applicationName: 'shutdown-test', maxConnections: 4 });
    knex = createKnex(database.url, { max: 2 });
  }, 180_000);

  afterAll(async () => {
    process.stdout.write(`SIGTERM → exit, ms: ${JSON.stringify(drained)}\n`);
    await system?.stop();
    await pushes?.close();
    await slowS3?.close();
    await knex?.destroy();
    await events?.close();
    await database?.drop();
  }, 60_000);

  it('the command API finishes a body that is streaming in, refuses new uploads, and exits 0', async () => {
    const token = await system.token('alice');
    const body = randomVideo(1024 * 1024);
    const chunks = 16;
    const response = new Promise<{ status: number; text: string }>((resolve, reject) => {
      const request = http.request(`${system.commandApi}/v1/videos?title=slow&fileName=slow.mp4`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'video/mp4', 'content-length': String(body.length) },
      });
      request.on('response', (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      });
      request.on('error', reject);
      void (async () => {
        for (let i = 0; i < chunks; i += 1) {
          request.write(body.subarray((i * body.length) / chunks, ((i + 1) * body.length) / chunks));
          await new Promise((r) => setTimeout(r, 150));
        }
        request.end();
      })();
    });
    await new Promise((r) => setTimeout(r, 300));
    const stopped = terminate('command-api');
    // No new upload is taken once it is stopping …
    await eventually(async () => {
      const refused = await fetch(`${system.commandApi}/v1/videos?title=late&fileName=late.mp4`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'video/mp4' },
        body: randomVideo(1024),
      }).then(
        (r) => r.status,
        () => 'refused',
      );
      expect([503, 'refused']).toContain(refused);
    });
    // … but the one streaming in is finished and recorded.
    const answered = await response;
    expect(answered.status).toBe(202);
    expect((await stopped).code).toBe(0);
    const { videoId } = JSON.parse(answered.text) as { videoId: string };
    expect(await typesOf(videoId)).toContain('UploadRequested');
    await system.start('command-api');
    await eventually(async () => expect((await videoStatus(system.queryApi, token, videoId))?.status).toBe('UPLOADED'), 60_000, 200);
  }, 120_000);

  it('the uploader finishes or hands back the upload in flight, exits 0, and the video still ends UPLOADED once', async () => {
    const token = await system.token('bob');
    const video = await sendVideo(system.commandApi, token, 'bob', randomVideo(2 * 1024 * 1024));
    await eventually(async () => expect(await typesOf(video.videoId)).toContain('UploadStarted'), 30_000, 50);
    expect((await terminate('uploader')).code).toBe(0);
    await system.start('uploader');
    await eventually(async () => expect((await videoStatus(system.queryApi, token, video.videoId))?.status).toBe('UPLOADED'), 90_000, 200);
    expect((await typesOf(video.videoId)).filter((type) => type === 'UploadCompleted')).toHaveLength(1);
  }, 150_000);

  it('the query API answers a held long-poll at once and exits 0', async () => {
    const token = await system.token('alice');
    const video = await sendVideo(system.commandApi, token, 'alice', randomVideo(32 * 1024));
    await eventually(async () => expect((await videoStatus(system.queryApi, token, video.videoId))?.status).toBe('UPLOADED'), 60_000, 200);
    const url = `${system.queryApi}/v1/videos/${video.videoId}`;
    const etag = (await fetch(url, { headers: { authorization: `Bearer ${token}` } })).headers.get('etag') as string;
    const held = fetch(`${url}?waitSeconds=30`, { headers: { authorization: `Bearer ${token}`, 'if-none-match': etag } });
    await new Promise((r) => setTimeout(r, 300));
    const exit = await terminate('query-api');
    expect(exit.code).toBe(0);
    expect([200, 304]).toContain((await held).status);
    await system.start('query-api');
  }, 120_000);

  it('the projector commits or drops the batch in flight, lets its lease go, exits 0, and its successor leaves no drift', async () => {
    const videoIds = Array.from({ length: 150 }, () => randomUUID());
    for (let i = 0; i < videoIds.length; i += 8) await Promise.all(videoIds.slice(i, i + 8).map((id) => appendJourney(events.store, id)));
    await eventually(async () => expect((await readModelDrift(events.store, knex, videoIds)).length).toBeLessThan(videoIds.length), 30_000, 5);
    expect((await terminate('projector')).code).toBe(0);
    await system.start('projector');
    await eventually(async () => expect(await readModelDrift(events.store, knex, videoIds)).toEqual([]), 60_000, 500);
  }, 120_000);

  it('the notifier finishes the push in flight and records it, exits 0, and never pushes it again', async () => {
    const token = await system.token('carol');
    // Everything so far has been pushed; the next push is held 2 s by OneSignal.
    await eventually(async () => expect(await notifierCaughtUp()).toBe(true), 60_000, 200);
    const before = pushes?.bytesUp() ?? 0;
    system.oneSignal.delayNext(1, 2000);
    const video = await sendVideo(system.commandApi, token, 'carol', randomVideo(32 * 1024));
    await eventually(() => expect(pushes?.bytesUp()).toBeGreaterThan(before), 60_000, 20);
    expect((await terminate('notifier')).code).toBe(0);
    expect(await typesOf(video.videoId)).toContain('NotificationSent');

    await system.start('notifier');
    const next = await sendVideo(system.commandApi, token, 'carol', randomVideo(32 * 1024));
    await eventually(async () => expect(await typesOf(next.videoId)).toContain('NotificationSent'), 60_000, 200);
    const pushesFor = (videoId: string) => system.oneSignal.notifications().filter((n) => (n.body.data as { videoId: string }).videoId === videoId);
    expect(pushesFor(video.videoId)).toHaveLength(1);
    expect(system.oneSignal.requests.filter((r) => (r.body as { data: { videoId: string } }).data.videoId === video.videoId)).toHaveLength(1);
  }, 150_000);

  it('the whole system stops on SIGTERM with every service exiting 0', async () => {
    const exits = await system.stop();
    for (const [name, exit] of Object.entries(exits)) {
      drained[`${name} (all at once)`] = exit.afterSignalMs;
      expect([name, exit.code]).toEqual([name, 0]);
    }
  }, 120_000);

  /** Whether every terminal event in the log so far has its push recorded. */
  async function notifierCaughtUp(): Promise<boolean> {
    const rows = await knex.raw(`
      select count(*) filter (where type in ('UploadCompleted', 'UploadFailed')) as terminal,
             count(*) filter (where type in ('NotificationSent', 'NotificationFailed')) as notified
        from event_log`);
    const { terminal, notified } = rows.rows[0] as { terminal: number; notified: number };
    return Number(terminal) === Number(notified);
  }
});
