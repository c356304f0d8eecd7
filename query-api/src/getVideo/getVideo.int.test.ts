import { describe, it, expect, beforeEach, afterEach } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { ERASED_TEXT, UserId } from '@reelay/contracts';
import { eventually } from '@reelay/testing';
import { eraseUserFromReadModel } from '@reelay/projector';
import { createQueryApiTestContext, type QueryApiTestContext } from '../testing/queryApiTestContext';
import { videoEvents } from '../testing/videoEvents';

describe('GET /v1/videos/:videoId', () => {
  let context: QueryApiTestContext;

  beforeEach(async () => {
    context = await createQueryApiTestContext();
  });

  afterEach(async () => {
    await context.dispose();
  });

  it('answers 200 with the video as API.md shows it', async () => {
    const videoId = randomUUID();
    await context.record(videoId, [videoEvents.requested(videoId, 'alice', 'Birthday'), videoEvents.started(), videoEvents.progress(40)]);

    const response = await context.get(`/v1/videos/${videoId}`, { as: 'alice' });

    expect(response.status).toBe(200);
    expect(response.headers.get('etag')).toMatch(/^".+"$/);
    expect(response.headers.get('cache-control')).toBe('private, no-cache');
    const body = await response.json();
    expect(body).toEqual({
      videoId,
      userId: 'alice',
      status: 'LOADING',
      uploadedPercentage: 40,
      metaInfo: {
        title: 'Birthday',
        fileName: 'birthday.mp4',
        contentType: 'video/mp4',
        sizeBytes: 2048,
        requestedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
        uploadedAt: null,
        // Not stored yet: its container is read once the upload completes.
        media: null,
        mediaProbe: 'pending',
      },
      failureReason: null,
      progress: { phase: 'storing', receivedBytes: 2048, storedBytes: 819, totalBytes: 2048, percentage: 40 },
    });
  });

  it('shows the upload time once uploaded and the reason once failed', async () => {
    const uploaded = randomUUID();
    const failed = randomUUID();
    await context.record(uploaded, [videoEvents.requested(uploaded, 'alice'), videoEvents.started(), videoEvents.completed()]);
    await context.record(failed, [videoEvents.requested(failed, 'alice'), videoEvents.failed('the bucket refused the upload')]);

    expect(await (await context.get(`/v1/videos/${uploaded}`, { as: 'alice' })).json()).toMatchObject({
      status: 'UPLOADED',
      uploadedPercentage: 100,
      metaInfo: { uploadedAt: expect.any(String) },
    });
    expect(await (await context.get(`/v1/videos/${failed}`, { as: 'alice' })).json()).toMatchObject({
      status: 'FAILED',
      failureReason: 'the bucket refused the upload',
    });
  });

  it("answers another user's video exactly like a missing one: 404 problem+json", async () => {
    const videoId = randomUUID();
    await context.record(videoId, [videoEvents.requested(videoId, 'alice')]);

    const foreign = await context.get(`/v1/videos/${videoId}`, { as: 'mallory' });
    const missing = await context.get(`/v1/videos/${randomUUID()}`, { as: 'mallory' });

    for (const response of [foreign, missing]) {
      expect(response.status).toBe(404);
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(response.headers.get('etag')).toBeNull();
    }
    const [foreignBody, missingBody] = [(await foreign.json()) as Record<string, unknown>, (await missing.json()) as Record<string, unknown>];
    expect({ ...foreignBody, detail: undefined }).toEqual({ ...missingBody, detail: undefined });
    expect(foreignBody).toMatchObject({ status: 404, title: 'Not Found', detail: `video ${videoId} was not found` });
  });

  it('answers 401 without a token or with a bad one', async () => {
    const videoId = randomUUID();
    const anonymous = await context.get(`/v1/videos/${videoId}`, { as: null });
    const forged = await context.get(`/v1/videos/${videoId}`, { as: null, headers: { authorization: 'Bearer not.a.token' } });
    for (const response of [anonymous, forged]) {
      expect(response.status).toBe(401);
      expect(await response.json()).toMatchObject({ status: 401, title: 'Unauthorized' });
    }
  });

  it('answers 400 to an id that is not a UUID and to a wait over 30 seconds', async () => {
    const badId = await context.get('/v1/videos/not-a-uuid', { as: 'alice' });
    expect(badId.status).toBe(400);
    expect(await badId.json()).toMatchObject({ status: 400, detail: expect.stringContaining('videoId') });

    const tooLong = await context.get(`/v1/videos/${randomUUID()}?waitSeconds=31`, { as: 'alice' });
    expect(tooLong.status).toBe(400);
    expect(await tooLong.json()).toMatchObject({ detail: expect.stringContaining('waitSeconds') });
  });

  it('answers 304 without a body while the ETag still matches, and 200 with a new ETag after a change', async () => {
    const videoId = randomUUID();
    await context.record(videoId, [videoEvents.requested(videoId, 'alice'), videoEvents.started()]);
    const etag = (await context.get(`/v1/videos/${videoId}`, { as: 'alice' })).headers.get('etag') as string;

    const notModified = await context.get(`/v1/videos/${videoId}`, { as: 'alice', headers: { 'if-none-match': etag } });
    expect(notModified.status).toBe(304);
    expect(notModified.headers.get('etag')).toBe(etag);
    expect(await notModified.text()).toBe('');

    await context.record(videoId, [videoEvents.progress(10)], 1);
    // The projector's NOTIFY reaches the query API's row cache a moment after its commit.
    await eventually(async () => {
      const changed = await context.get(`/v1/videos/${videoId}`, { as: 'alice', headers: { 'if-none-match': etag } });
      expect(changed.status).toBe(200);
      expect(changed.headers.get('etag')).not.toBe(etag);
      expect(await changed.json()).toMatchObject({ uploadedPercentage: 10 });
    });
  });

  it('answers 200 with the erased title, not 304, to an ETag held from before its user was forgotten, though the revision stayed', async () => {
    const videoId = randomUUID();
    // Deleted before the forget: no event of the video is left to come and change the revision.
    await context.record(videoId, [videoEvents.requested(videoId, 'alice', 'Lake'), { type: 'VideoDeleted', data: { deletedBy: UserId.parse('alice') } }]);
    const before = await context.get(`/v1/videos/${videoId}`, { as: 'alice' });
    const etag = before.headers.get('etag') as string;
    expect(await before.json()).toMatchObject({ status: 'DELETED', metaInfo: { title: 'Lake' } });

    // What reelay forget-user does to the read model, in its transaction.
    await context.knex.transaction((trx) => eraseUserFromReadModel(trx, 'alice'));

    await eventually(async () => {
      const after = await context.get(`/v1/videos/${videoId}`, { as: 'alice', headers: { 'if-none-match': etag } });
      expect(after.status).toBe(200);
      expect(after.headers.get('etag')).not.toBe(etag);
      expect(await after.json()).toMatchObject({ status: 'DELETED', metaInfo: { title: ERASED_TEXT, fileName: ERASED_TEXT } });
    });
    expect(Number((await context.knex('video_info').where({ video_id: videoId }).first('last_revision')).last_revision)).toBe(1);
    const erasedTag = (await context.get(`/v1/videos/${videoId}`, { as: 'alice' })).headers.get('etag') as string;
    expect((await context.get(`/v1/videos/${videoId}`, { as: 'alice', headers: { 'if-none-match': erasedTag } })).status).toBe(304);
  });
});
