import { describe, it, expect, beforeEach, afterEach } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import type { VideoList } from '@reelay/contracts';
import { createQueryApiTestContext, type QueryApiTestContext } from '../testing/queryApiTestContext';
import { videoEvents } from '../testing/videoEvents';

describe('GET /v1/users/:userId/videos', () => {
  let context: QueryApiTestContext;

  beforeEach(async () => {
    context = await createQueryApiTestContext();
  });

  afterEach(async () => {
    await context.dispose();
  });

  async function list(path: string, as = 'alice'): Promise<VideoList> {
    const response = await context.get(path, { as });
    expect(response.status).toBe(200);
    return (await response.json()) as VideoList;
  }

  /** Follows nextCursor from the first page to the last. */
  async function allPages(query: string): Promise<{ ids: string[]; pages: number }> {
    const ids: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: VideoList = await list(`/v1/users/me/videos?${query}${cursor ? `&cursor=${cursor}` : ''}`);
      ids.push(...page.videos.map((video) => video.videoId));
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor);
    return { ids, pages };
  }

  /** Inserts rows as the projector writes them, all requested at the same instant. */
  async function insertRows(userId: string, requestedAt: string, count: number): Promise<string[]> {
    const ids = Array.from({ length: count }, () => randomUUID());
    await context.knex('video_info').insert(
      ids.map((videoId) => ({
        video_id: videoId,
        user_id: userId,
        status: 'PENDING',
        uploaded_percentage: 0,
        meta_info: JSON.stringify({ title: 't', fileName: 'f.mp4', contentType: 'video/mp4', sizeBytes: 1, sha256: 'c'.repeat(64) }),
        requested_at: requestedAt,
        last_revision: 0,
      })),
    );
    return ids;
  }

  it("lists the caller's videos, newest first, under the caller's id and under `me`", async () => {
    const older = randomUUID();
    const newer = randomUUID();
    const foreign = randomUUID();
    await context.record(older, [videoEvents.requested(older, 'alice', 'Older')]);
    await context.record(foreign, [videoEvents.requested(foreign, 'bob')]);
    await context.record(newer, [videoEvents.requested(newer, 'alice', 'Newer'), videoEvents.started()]);

    const mine = await list('/v1/users/me/videos');
    expect(mine).toEqual({
      userId: 'alice',
      videos: [
        expect.objectContaining({ videoId: newer, userId: 'alice', status: 'LOADING', metaInfo: expect.objectContaining({ title: 'Newer' }) }),
        expect.objectContaining({ videoId: older, status: 'PENDING', metaInfo: expect.objectContaining({ title: 'Older' }) }),
      ],
      nextCursor: null,
    });
    expect(await list('/v1/users/alice/videos')).toEqual(mine);
  });

  it("answers 404 for another user's list, whether or not that user has videos", async () => {
    const video = randomUUID();
    await context.record(video, [videoEvents.requested(video, 'bob')]);
    for (const userId of ['bob', 'nobody']) {
      const response = await context.get(`/v1/users/${userId}/videos`, { as: 'alice' });
      expect(response.status).toBe(404);
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    }
  });

  it('answers 401 without a token', async () => {
    expect((await context.get('/v1/users/me/videos', { as: null })).status).toBe(401);
  });

  it('pages through every video exactly once, in order', async () => {
    const appended: string[] = [];
    for (let i = 0; i < 11; i += 1) {
      const videoId = randomUUID();
      await context.record(videoId, [videoEvents.requested(videoId, 'alice', `Video ${i}`)]);
      appended.push(videoId);
    }

    const { ids, pages } = await allPages('limit=4');

    expect(pages).toBe(3);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual([...appended].sort());
    const videos = (await list('/v1/users/me/videos?limit=100')).videos;
    expect(videos.map((video) => video.videoId)).toEqual(ids);
    const sortKeys = videos.map((video) => [video.metaInfo.requestedAt, video.videoId].join(' '));
    expect(sortKeys).toEqual([...sortKeys].sort().reverse());
  });

  it('pages through videos requested at the same instant by their ids, to the microsecond', async () => {
    const early = await insertRows('alice', '2024-05-01T10:00:00.123456Z', 5);
    const late = await insertRows('alice', '2024-05-01T10:00:00.123457Z', 2);

    const { ids } = await allPages('limit=2');

    expect(ids).toEqual([...[...late].sort().reverse(), ...[...early].sort().reverse()]);
  });

  it('filters by status, pages included', async () => {
    const loading: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      const pending = randomUUID();
      const started = randomUUID();
      await context.record(pending, [videoEvents.requested(pending, 'alice')]);
      await context.record(started, [videoEvents.requested(started, 'alice'), videoEvents.started()]);
      loading.push(started);
    }

    const { ids } = await allPages('status=LOADING&limit=2');

    expect([...ids].sort()).toEqual([...loading].sort());
    expect((await list('/v1/users/me/videos?status=UPLOADED')).videos).toEqual([]);
  });

  it('answers 400 with a useful detail to a malformed cursor, a bad status or limit', async () => {
    const badCursor = await context.get('/v1/users/me/videos?cursor=garbage', { as: 'alice' });
    expect(badCursor.status).toBe(400);
    expect(await badCursor.json()).toMatchObject({ status: 400, detail: expect.stringContaining('nextCursor of the previous page') });

    expect((await context.get('/v1/users/me/videos?status=SLEEPING', { as: 'alice' })).status).toBe(400);
    expect((await context.get('/v1/users/me/videos?limit=101', { as: 'alice' })).status).toBe(400);
    expect((await context.get('/v1/users/me/videos?limit=0', { as: 'alice' })).status).toBe(400);
  });
});
