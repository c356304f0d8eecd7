import { describe, it, expect, beforeEach, afterEach } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { signToken } from '@reelay/platform/auth';
import { eventually } from '@reelay/testing';
import { createQueryApiTestContext, type QueryApiTestContext } from '../testing/queryApiTestContext';
import { videoEvents } from '../testing/videoEvents';

const WAITING = 'reelay_query_long_polls_waiting';

describe('GET /v1/videos/:videoId?waitSeconds=N (long-poll)', () => {
  let context: QueryApiTestContext;
  let videoId: string;
  let etag: string;

  beforeEach(async () => {
    context = await createQueryApiTestContext();
    videoId = randomUUID();
    await context.record(videoId, [videoEvents.requested(videoId, 'alice'), videoEvents.started()]);
    etag = (await context.get(`/v1/videos/${videoId}`, { as: 'alice' })).headers.get('etag') as string;
  });

  afterEach(async () => {
    await context.dispose();
  });

  it('answers 200 with the new state as soon as the video changes within the wait', async () => {
    const startedAt = Date.now();
    const held = context.get(`/v1/videos/${videoId}?waitSeconds=30`, { as: 'alice', headers: { 'if-none-match': etag } });
    await eventually(async () => expect(await context.gauge(WAITING)).toBe(1));

    await context.record(videoId, [videoEvents.progress(60)], 1);
    const response = await held;

    expect(Date.now() - startedAt).toBeLessThan(30_000);
    expect(response.status).toBe(200);
    expect(response.headers.get('etag')).not.toBe(etag);
    expect(await response.json()).toMatchObject({ status: 'LOADING', uploadedPercentage: 60 });
    expect(await context.gauge(WAITING)).toBe(0);
  });

  it('answers 304 when nothing changes within the wait', async () => {
    const startedAt = Date.now();
    const response = await context.get(`/v1/videos/${videoId}?waitSeconds=1`, { as: 'alice', headers: { 'if-none-match': etag } });

    expect(response.status).toBe(304);
    expect(response.headers.get('etag')).toBe(etag);
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(900);
  });

  it('ignores changes of other videos while waiting', async () => {
    const other = randomUUID();
    const held = context.get(`/v1/videos/${videoId}?waitSeconds=2`, { as: 'alice', headers: { 'if-none-match': etag } });
    await eventually(async () => expect(await context.gauge(WAITING)).toBe(1));
    await context.record(other, [videoEvents.requested(other, 'alice')]);

    expect((await held).status).toBe(304);
  });

  it('answers at once when the client sends no If-None-Match, since it has no version to wait on', async () => {
    const response = await context.get(`/v1/videos/${videoId}?waitSeconds=30`, { as: 'alice' });
    expect(response.status).toBe(200);
    expect(response.headers.get('etag')).toBe(etag);
  });

  it('answers at once when the client is already behind', async () => {
    await context.record(videoId, [videoEvents.progress(5)], 1);
    const response = await context.get(`/v1/videos/${videoId}?waitSeconds=30`, { as: 'alice', headers: { 'if-none-match': etag } });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ uploadedPercentage: 5 });
  });

  it('stops waiting for a client that disconnects', async () => {
    // node:http without an agent: the socket is really gone once destroyed (fetch may open a spare one).
    const request = http.get(`${context.baseUrl}/v1/videos/${videoId}?waitSeconds=30`, {
      agent: false,
      headers: { authorization: `Bearer ${await signToken('alice')}`, 'if-none-match': etag },
    });
    request.on('error', () => undefined);
    await eventually(async () => expect(await context.gauge(WAITING)).toBe(1));

    request.destroy();
    await eventually(async () => expect(await context.gauge(WAITING)).toBe(0));
  });

  it('still answers a change when its LISTEN connection drops meanwhile', async () => {
    const held = context.get(`/v1/videos/${videoId}?waitSeconds=30`, { as: 'alice', headers: { 'if-none-match': etag } });
    await eventually(async () => expect(await context.gauge(WAITING)).toBe(1));
    const terminated = await context.knex.raw(
      `select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and application_name = 'reelay-query-api-listen'`,
    );
    expect(terminated.rowCount).toBe(1);

    await context.record(videoId, [videoEvents.progress(70)], 1);
    const response = await held;

    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ uploadedPercentage: 70 });
  });

  it('answers held requests when the app closes instead of keeping it open for the wait', async () => {
    const second = await context.startApp();
    const startedAt = Date.now();
    const held = context.get(`/v1/videos/${videoId}?waitSeconds=30`, { as: 'alice', headers: { 'if-none-match': etag }, base: second.baseUrl });
    await eventually(async () => {
      const metrics = await (await fetch(`${second.baseUrl}/metrics`)).text();
      expect(metrics).toMatch(new RegExp(`^${WAITING}\\S* 1$`, 'm'));
    });

    await second.app.close();
    const response = await held;

    expect(response.status).toBe(304);
    expect(Date.now() - startedAt).toBeLessThan(30_000);
  });
});
