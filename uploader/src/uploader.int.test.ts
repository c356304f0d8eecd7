import { describe, it, expect, beforeEach, afterEach } from '@jest/globals';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { jetstream } from '@nats-io/jetstream';
import type { ObjectStorage } from '@reelay/platform';
import { newEvent, videoStreamModel } from '@reelay/contracts';
import { S3ObjectStorage } from '@reelay/platform/s3';
import { createTestS3Client, eventually } from '@reelay/testing';
import { CommandHandler } from '@reelay/event-store';
import { createUploaderTestKit, MiB, type UploaderTestKit } from './testing/uploaderTestKit';

describe('the uploader', () => {
  let kit: UploaderTestKit;
  let events: UploaderTestKit['events'];
  let s3: UploaderTestKit['s3'];
  let staging: UploaderTestKit['staging'];
  let nc: UploaderTestKit['nc'];
  let queue: UploaderTestKit['queue'];
  let streamName: string;

  const startWorker = async (storage: ObjectStorage = s3.storage, maxAttempts = 3) => {
    await kit.startWorker({ storage, maxAttempts });
  };
  const requestUpload = (bytes: Buffer) => kit.requestUpload(bytes);
  const typesOf = (videoId: string) => kit.typesOf(videoId);
  const waitForType = async (videoId: string, type: string, timeoutMs = 30_000) => {
    await kit.waitForType(videoId, type, timeoutMs);
  };

  beforeEach(async () => {
    kit = await createUploaderTestKit();
    ({ events, s3, staging, nc, queue, streamName } = kit);
  });

  afterEach(async () => {
    await kit.dispose();
  });

  it('streams a staged video into S3 with multipart, records its progress and completion, and removes the staged copy', async () => {
    await startWorker();
    const bytes = randomBytes(12 * MiB);
    const { videoId, stagingRef } = await requestUpload(bytes);
    await waitForType(videoId, 'UploadCompleted');

    const types = await typesOf(videoId);
    expect(types[0]).toBe('UploadRequested');
    expect(types[1]).toBe('UploadStarted');
    expect(types[types.length - 1]).toBe('UploadCompleted');
    const progress = types.filter((t) => t === 'ProgressReported').length;
    // Three 5 MiB parts: at most one report per part, never one per chunk.
    expect(progress).toBeGreaterThanOrEqual(1);
    expect(progress).toBeLessThanOrEqual(3);

    const object = await s3.client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: `videos/${videoId}` }));
    const stored = Buffer.from(await (object.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray());
    expect(createHash('sha256').update(stored).digest('hex')).toBe(createHash('sha256').update(bytes).digest('hex'));
    // The staged copy is removed just after UploadCompleted is recorded.
    await eventually(async () => expect(await staging.exists(stagingRef)).toBe(false));
  });

  it('does not upload twice when the same job arrives again', async () => {
    await startWorker();
    const { videoId, job } = await requestUpload(randomBytes(64 * 1024));
    await waitForType(videoId, 'UploadCompleted');
    // Past the server's de-duplication (another message id), as after a long outage.
    await jetstream(nc).publish(`${streamName}.jobs.upload`, JSON.stringify(job), { msgID: randomUUID() });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const types = await typesOf(videoId);
    expect(types.filter((t) => t === 'UploadStarted')).toHaveLength(1);
    expect(types.filter((t) => t === 'UploadCompleted')).toHaveLength(1);
  });

  it('records UploadFailed for a permanent storage error and keeps the staged copy for a retry', async () => {
    const missingBucket = new S3ObjectStorage(s3.client, { bucket: `${s3.bucket}-missing`, partSizeBytes: 5 * MiB, queueSize: 1 });
    await startWorker(missingBucket);
    const { videoId, stagingRef } = await requestUpload(randomBytes(64 * 1024));
    await waitForType(videoId, 'UploadFailed');
    const failed = (await events.store.readStream(`video-${videoId}`)).find((e) => e.type === 'UploadFailed');
    expect(failed?.data).toMatchObject({ code: 'STORAGE_BUCKET_MISSING', retryable: false, attempt: 1 });
    expect(await staging.exists(stagingRef)).toBe(true);
    expect((await typesOf(videoId)).filter((t) => t === 'UploadStarted')).toHaveLength(1);
  });

  it('uploads a FAILED video from its kept staged copy when a retry is requested', async () => {
    const missingBucket = new S3ObjectStorage(s3.client, { bucket: `${s3.bucket}-missing`, partSizeBytes: 5 * MiB, queueSize: 1 });
    const first = await kit.startWorker({ storage: missingBucket });
    const bytes = randomBytes(64 * 1024);
    const { videoId, stagingRef } = await requestUpload(bytes);
    await waitForType(videoId, 'UploadFailed');
    await first.stop();
    await kit.startWorker();
    const retry = await new CommandHandler(events.store, videoStreamModel).decide(videoId, () => [
      newEvent({ type: 'UploadRetryRequested', data: { requestedBy: 'alice' as never } }, { correlationId: 'r', causationId: 'r', userId: 'alice' }),
    ]);
    await queue.publish({ kind: 'upload', videoId: videoId as never, requestEventId: retry.appended[0]?.id as string });
    await waitForType(videoId, 'UploadCompleted');
    const started = (await events.store.readStream(`video-${videoId}`)).filter((e) => e.type === 'UploadStarted');
    expect(started.map((e) => (e.data as { attempt: number }).attempt)).toEqual([1, 2]);
    // The staged copy is removed just after UploadCompleted is recorded.
    await eventually(async () => expect(await staging.exists(stagingRef)).toBe(false));
    const object = await s3.client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: `videos/${videoId}` }));
    expect(Number(object.ContentLength)).toBe(bytes.length);
  });

  it('retries a storage that cannot be reached with backoff, then records UploadFailed when attempts run out', async () => {
    // Nothing listens on port 1: every attempt fails with a connection error, which is retryable.
    const unreachable = new S3ObjectStorage(createTestS3Client('http://127.0.0.1:1'), { bucket: s3.bucket, partSizeBytes: 5 * MiB, queueSize: 1 });
    await startWorker(unreachable, 2);
    const { videoId, stagingRef } = await requestUpload(randomBytes(64 * 1024));
    await waitForType(videoId, 'UploadFailed');
    const stream = await events.store.readStream(`video-${videoId}`);
    expect(stream.map((e) => e.type)).toEqual(['UploadRequested', 'UploadStarted', 'UploadStarted', 'UploadFailed']);
    expect(stream[3]?.data).toMatchObject({ retryable: true, attempt: 2 });
    expect(stream[3]?.data).toMatchObject({ reason: expect.stringMatching(/gave up after 2 attempts/) });
    expect(await staging.exists(stagingRef)).toBe(true);
  });

  it('removes the object and the staged copy of a deleted video', async () => {
    await startWorker();
    const { videoId, stagingRef } = await requestUpload(randomBytes(64 * 1024));
    await waitForType(videoId, 'UploadCompleted');
    const repository = new CommandHandler(events.store, videoStreamModel);
    const deleted = await repository.decide(videoId, () => [
      newEvent({ type: 'VideoDeleted', data: { deletedBy: 'alice' as never } }, { correlationId: 'd', causationId: 'd', userId: 'alice' }),
    ]);
    await queue.publish({ kind: 'delete', videoId: videoId as never, requestEventId: deleted.appended[0]?.id as string });
    await eventually(async () => {
      await expect(s3.client.send(new HeadObjectCommand({ Bucket: s3.bucket, Key: `videos/${videoId}` }))).rejects.toThrow();
    }, 15_000);
    // The staged copy is removed just after UploadCompleted is recorded.
    await eventually(async () => expect(await staging.exists(stagingRef)).toBe(false));
  });
});
