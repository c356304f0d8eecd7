import { describe, it, expect, beforeEach, afterEach } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { INTAKE_PROGRESS_TABLE } from '@reelay/platform';
import { createQueryApiTestContext, type QueryApiTestContext } from '../testing/queryApiTestContext';
import { videoEvents } from '../testing/videoEvents';

describe('two-leg progress in the query API', () => {
  let context: QueryApiTestContext;
  beforeEach(async () => {
    context = await createQueryApiTestContext();
  });
  afterEach(async () => {
    await context.dispose();
  });

  const receiving = (videoId: string, userId: string, received: number, total: number | null) =>
    context.knex(INTAKE_PROGRESS_TABLE).insert({ video_id: videoId, user_id: userId, meta_info: JSON.stringify({ title: 'Live', fileName: 'live.mp4', contentType: 'video/mp4' }), received_bytes: received, total_bytes: total });

  it('shows a video whose bytes are still arriving as PENDING in the receiving phase, to its owner only', async () => {
    const videoId = randomUUID();
    await receiving(videoId, 'alice', 300, 1000);

    const response = await context.get(`/v1/videos/${videoId}`, { as: 'alice' });
    const other = await context.get(`/v1/videos/${videoId}`, { as: 'bob' });

    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      videoId,
      status: 'PENDING',
      metaInfo: { title: 'Live', sizeBytes: 1000 },
      progress: { phase: 'receiving', receivedBytes: 300, storedBytes: 0, totalBytes: 1000, percentage: 30 },
    });
    expect(other.status).toBe(404);
  });

  it('changes the ETag as bytes arrive', async () => {
    const videoId = randomUUID();
    await receiving(videoId, 'alice', 300, null);
    const first = await context.get(`/v1/videos/${videoId}`, { as: 'alice' });
    const etag = first.headers.get('etag') ?? '';
    expect((await context.get(`/v1/videos/${videoId}`, { as: 'alice', headers: { 'if-none-match': etag } })).status).toBe(304);
    expect(((await first.json()) as { progress: { percentage: unknown } }).progress.percentage).toBeNull();

    await context.knex(INTAKE_PROGRESS_TABLE).where({ video_id: videoId }).update({ received_bytes: 600 });

    expect((await context.get(`/v1/videos/${videoId}`, { as: 'alice', headers: { 'if-none-match': etag } })).status).toBe(200);
  });

  it('switches to the storing phase once UploadRequested is projected, and lists arriving videos first', async () => {
    const arriving = randomUUID();
    const stored = randomUUID();
    await receiving(arriving, 'alice', 10, 100);
    await receiving(stored, 'alice', 2048, 2048);
    await context.record(stored, [videoEvents.requested(stored, 'alice')]);

    const list = (await (await context.get('/v1/users/me/videos', { as: 'alice' })).json()) as { videos: Array<{ videoId: string; progress: { phase: string } }> };
    const video = (await (await context.get(`/v1/videos/${stored}`, { as: 'alice' })).json()) as { progress: { phase: string; receivedBytes: number } };

    expect(list.videos.map((v) => [v.videoId, v.progress.phase])).toEqual([
      [arriving, 'receiving'],
      [stored, 'storing'],
    ]);
    expect(video.progress).toMatchObject({ phase: 'storing', percentage: 0 });
  });
});
