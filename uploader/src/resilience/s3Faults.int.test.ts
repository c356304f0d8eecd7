import { describe, it, expect, beforeEach, afterEach } from '@jest/globals';
import { createHash, randomBytes } from 'node:crypto';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { newEvent } from '@reelay/contracts';
import { S3ObjectStorage } from '@reelay/platform/s3';
import { createTestS3Client, eventually, startS3FaultProxy, type S3FaultProxy } from '@reelay/testing';
import { createUploaderTestKit, MiB, type UploaderTestKit } from '../testing/uploaderTestKit';

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe('the uploader against a faulty S3', () => {
  let kit: UploaderTestKit;
  let proxy: S3FaultProxy;
  let client: ReturnType<typeof createTestS3Client>;

  const storageThroughProxy = (queueSize = 2) => new S3ObjectStorage(client, { bucket: kit.s3.bucket, partSizeBytes: 5 * MiB, queueSize });

  const storedObject = async (videoId: string) => {
    const object = await kit.s3.client.send(new GetObjectCommand({ Bucket: kit.s3.bucket, Key: `videos/${videoId}` }));
    return Buffer.from(await (object.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray());
  };

  beforeEach(async () => {
    kit = await createUploaderTestKit({ maxDeliver: 5 });
    proxy = await startS3FaultProxy(process.env.TEST_S3_ENDPOINT as string);
    client = createTestS3Client(proxy.url);
  });

  afterEach(async () => {
    await kit.dispose();
    client.destroy();
    await proxy.close();
  });

  it('rides out bursts of 500 and 503, slow answers and reset connections, and stores the video byte for byte', async () => {
    proxy.inject({ fault: { kind: 'status', status: 503, code: 'SlowDown' }, operations: ['UploadPart'], times: 3 });
    proxy.inject({ fault: { kind: 'status', status: 500, code: 'InternalError' }, operations: ['UploadPart', 'CompleteMultipartUpload'], times: 3 });
    proxy.inject({ fault: { kind: 'reset' }, operations: ['UploadPart'], times: 2 });
    proxy.inject({ fault: { kind: 'delay', ms: 400 }, times: 3 });
    await kit.startWorker({ storage: storageThroughProxy(), maxAttempts: 5 });
    const bytes = randomBytes(12 * MiB);

    const { videoId, stagingRef } = await kit.requestUpload(bytes);
    const stream = await kit.waitForType(videoId, 'UploadCompleted', 45_000);

    expect(proxy.stats().faultsInjected).toBe(11);
    expect(stream.filter((e) => e.type === 'UploadCompleted')).toHaveLength(1);
    expect(stream.some((e) => e.type === 'UploadFailed')).toBe(false);
    expect(sha256(await storedObject(videoId))).toBe(sha256(bytes));
    // The staged copy is removed just after UploadCompleted is recorded.
    await eventually(async () => expect(await kit.staging.exists(stagingRef)).toBe(false));
  });

  it('records UploadFailed with a clear reason on a 403, keeps the staged copy, and uploads it on a retry once the fault is gone', async () => {
    proxy.inject({ fault: { kind: 'status', status: 403, code: 'AccessDenied', message: 'Access Denied' }, operations: ['UploadPart'] });
    await kit.startWorker({ storage: storageThroughProxy(), maxAttempts: 5 });
    const bytes = randomBytes(6 * MiB);

    const { videoId, stagingRef } = await kit.requestUpload(bytes);
    const stream = await kit.waitForType(videoId, 'UploadFailed');

    const failed = stream.find((e) => e.type === 'UploadFailed');
    expect(failed?.data).toMatchObject({ code: 'STORAGE_ACCESS_DENIED', retryable: false, attempt: 1 });
    expect(failed?.data).toMatchObject({ reason: expect.stringMatching(/refused access.*Access Denied/) });
    expect(stream.filter((e) => e.type === 'UploadStarted')).toHaveLength(1);
    expect((await kit.repository.load(videoId))?.status).toBe('FAILED');
    expect(await kit.staging.exists(stagingRef)).toBe(true);

    proxy.clearFaults();
    const retry = await kit.repository.decide(videoId, () => [
      newEvent({ type: 'UploadRetryRequested', data: { requestedBy: 'alice' as never } }, { correlationId: 'r', causationId: 'r', userId: 'alice' }),
    ]);
    await kit.queue.publish({ kind: 'upload', videoId: videoId as never, requestEventId: retry.appended[0]?.id as string });
    await kit.waitForType(videoId, 'UploadCompleted');
    expect(sha256(await storedObject(videoId))).toBe(sha256(bytes));
    // The staged copy is removed just after UploadCompleted is recorded.
    await eventually(async () => expect(await kit.staging.exists(stagingRef)).toBe(false));
  });

  it('records UploadFailed for a bucket that does not exist', async () => {
    proxy.inject({ fault: { kind: 'status', status: 404, code: 'NoSuchBucket', message: 'The specified bucket does not exist' }, operations: ['CreateMultipartUpload'] });
    await kit.startWorker({ storage: storageThroughProxy(), maxAttempts: 5 });

    const { videoId, stagingRef } = await kit.requestUpload(randomBytes(64 * 1024));
    const stream = await kit.waitForType(videoId, 'UploadFailed');

    expect(stream.find((e) => e.type === 'UploadFailed')?.data).toMatchObject({ code: 'STORAGE_BUCKET_MISSING', retryable: false });
    expect(await kit.staging.exists(stagingRef)).toBe(true);
  });

  it('aborts an attempt whose S3 hangs, hands the job back, and finishes the upload on the next delivery', async () => {
    proxy.inject({ fault: { kind: 'hang' }, operations: ['UploadPart'], times: 1 });
    await kit.startWorker({ storage: storageThroughProxy(1), maxAttempts: 5, stallTimeoutMs: 1_500 });
    const bytes = randomBytes(7 * MiB);

    const { videoId } = await kit.requestUpload(bytes);
    const stream = await kit.waitForType(videoId, 'UploadCompleted', 45_000);

    expect(stream.filter((e) => e.type === 'UploadStarted').map((e) => (e.data as { attempt: number }).attempt)).toEqual([1, 2]);
    expect(stream.some((e) => e.type === 'UploadFailed')).toBe(false);
    expect(sha256(await storedObject(videoId))).toBe(sha256(bytes));
  });

  it('keeps a slow healthy upload alive with working(), so a second uploader never gets it', async () => {
    await kit.dispose();
    kit = await createUploaderTestKit({ ackWaitMs: 1_500, maxDeliver: 5 });
    // One part in flight at 2 MiB/s: each 5 MiB part takes about 2.5 s, longer than ack_wait.
    proxy.throttle(2 * MiB);
    await kit.startWorker({ storage: storageThroughProxy(1), concurrency: 1, ackWaitMs: 1_500 });
    await kit.startWorker({ storage: storageThroughProxy(1), concurrency: 1, ackWaitMs: 1_500 });
    const bytes = randomBytes(11 * MiB);

    const { videoId } = await kit.requestUpload(bytes);
    const stream = await kit.waitForType(videoId, 'UploadCompleted', 45_000);

    expect(stream.filter((e) => e.type === 'UploadStarted')).toHaveLength(1);
    expect(proxy.stats().partRequests).toBe(3);
    expect(sha256(await storedObject(videoId))).toBe(sha256(bytes));
  });
});
