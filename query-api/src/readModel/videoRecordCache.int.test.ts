import { describe, it, expect, beforeEach, afterEach } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { eventually } from '@reelay/testing';
import { createQueryApiTestContext, type QueryApiTestContext } from '../testing/queryApiTestContext';
import { videoEvents } from '../testing/videoEvents';

/**
 * The row cache in front of GET /v1/videos/:videoId. To see whether an answer came from the cache
 * or from Postgres, these tests change a row behind the projector's back (no NOTIFY), which no
 * real writer does. An app LISTENs before it answers its first request (its `onReady`).
 */
describe('the query API row cache', () => {
  let context: QueryApiTestContext;

  beforeEach(async () => {
    context = await createQueryApiTestContext();
  });

  afterEach(async () => {
    await context.dispose();
  });

  async function percentage(baseUrl: string, videoId: string): Promise<number> {
    const response = await context.get(`/v1/videos/${videoId}`, { as: 'alice', base: baseUrl });
    expect(response.status).toBe(200);
    return ((await response.json()) as { uploadedPercentage: number }).uploadedPercentage;
  }

  async function changeBehindTheProjectorsBack(videoId: string, uploadedPercentage: number): Promise<void> {
    await context.knex('video_info').where({ video_id: videoId }).update({ uploaded_percentage: uploadedPercentage });
  }

  it('answers repeated polls from memory, and the projector’s change at once through its NOTIFY', async () => {
    const { baseUrl } = await context.startApp({ cache: { maxEntries: 100, ttlMs: 60_000 } });
    const videoId = randomUUID();
    await context.record(videoId, [videoEvents.requested(videoId, 'alice'), videoEvents.started(), videoEvents.progress(10)]);
    expect(await percentage(baseUrl, videoId)).toBe(10);

    await changeBehindTheProjectorsBack(videoId, 99);
    expect(await percentage(baseUrl, videoId)).toBe(10);

    await context.record(videoId, [videoEvents.progress(20)], 2);
    await eventually(async () => expect(await percentage(baseUrl, videoId)).toBe(20));
  });

  it('reads Postgres again once a row has outlived its time to live', async () => {
    const { baseUrl } = await context.startApp({ cache: { maxEntries: 100, ttlMs: 300 } });
    const videoId = randomUUID();
    await context.record(videoId, [videoEvents.requested(videoId, 'alice'), videoEvents.started(), videoEvents.progress(10)]);
    expect(await percentage(baseUrl, videoId)).toBe(10);

    await changeBehindTheProjectorsBack(videoId, 99);

    await eventually(async () => expect(await percentage(baseUrl, videoId)).toBe(99));
  });

  it('reads Postgres while its LISTEN connection is down, when notifications would be lost', async () => {
    const { baseUrl } = await context.startApp({ cache: { maxEntries: 100, ttlMs: 60_000 } });
    const videoId = randomUUID();
    await context.record(videoId, [videoEvents.requested(videoId, 'alice'), videoEvents.started(), videoEvents.progress(10)]);
    expect(await percentage(baseUrl, videoId)).toBe(10);

    await context.knex.raw(
      `select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and application_name = 'reelay-query-api-listen'`,
    );
    await changeBehindTheProjectorsBack(videoId, 99);

    await eventually(async () => expect(await percentage(baseUrl, videoId)).toBe(99));
  });

  it('serves a cached row to its owner only', async () => {
    const { baseUrl } = await context.startApp({ cache: { maxEntries: 100, ttlMs: 60_000 } });
    const videoId = randomUUID();
    await context.record(videoId, [videoEvents.requested(videoId, 'alice')]);
    expect((await context.get(`/v1/videos/${videoId}`, { as: 'alice', base: baseUrl })).status).toBe(200);

    expect((await context.get(`/v1/videos/${videoId}`, { as: 'mallory', base: baseUrl })).status).toBe(404);
  });
});
