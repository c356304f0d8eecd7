import { describe, it, expect, beforeEach, afterEach } from '@jest/globals';
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { HeadBucketCommand } from '@aws-sdk/client-s3';
import { createTestObjectStorage, createTestS3Client, emptyAndDeleteBucket, uniqueBucketName, type TestObjectStorage } from '@reelay/testing';
import type { UploadProgress } from './objectStorage';
import { ObjectNotFound, S3ObjectStorage, UploadSizeMismatch } from './s3ObjectStorage';

const MiB = 1024 * 1024;

/** `sizeBytes` of random bytes, produced chunk by chunk (never one big buffer), and their SHA-256. */
function randomBody(sizeBytes: number, chunkBytes = 256 * 1024): { body: Readable; sha256: () => string } {
  const hash = createHash('sha256');
  let produced = 0;
  const body = new Readable({
    read() {
      if (produced >= sizeBytes) return void this.push(null);
      const chunk = randomBytes(Math.min(chunkBytes, sizeBytes - produced));
      produced += chunk.length;
      hash.update(chunk);
      this.push(chunk);
    },
  });
  return { body, sha256: () => hash.digest('hex') };
}

async function sha256Of(stream: Readable): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of stream) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

describe('S3ObjectStorage', () => {
  let s3: TestObjectStorage;

  beforeEach(async () => {
    s3 = await createTestObjectStorage({ partSizeBytes: 5 * MiB, queueSize: 2 });
  });

  afterEach(async () => {
    await s3.cleanup();
  });

  it('streams a 20 MiB multipart upload that reads back byte-identical, reporting progress per part', async () => {
    const sizeBytes = 20 * MiB + 123;
    const source = randomBody(sizeBytes);
    const progress: UploadProgress[] = [];

    const stored = await s3.storage.upload('videos/big.mp4', source.body, {
      sizeBytes,
      contentType: 'video/mp4',
      onProgress: (p) => progress.push(p),
    });

    expect(stored).toMatchObject({ bucket: s3.bucket, key: 'videos/big.mp4' });
    expect(stored.etag).not.toBe('');
    expect(await sha256Of(await s3.storage.read('videos/big.mp4'))).toBe(source.sha256());
    expect(progress.length).toBeGreaterThan(1);
    expect(progress.every((p) => p.totalBytes === sizeBytes)).toBe(true);
    expect(progress.at(-1)?.uploadedBytes).toBe(sizeBytes);
  });

  it('uploads a body smaller than one part with a single request', async () => {
    const bytes = randomBytes(1000);

    await s3.storage.upload('small', Readable.from([bytes]), { sizeBytes: bytes.length, contentType: 'video/mp4' });

    expect(await buffer(await s3.storage.read('small'))).toEqual(bytes);
  });

  it('fails without storing an object when the body is shorter than announced', async () => {
    const source = randomBody(6 * MiB);

    await expect(
      s3.storage.upload('short', source.body, { sizeBytes: 12 * MiB, contentType: 'video/mp4' }),
    ).rejects.toBeInstanceOf(UploadSizeMismatch);

    expect(await s3.storage.exists('short')).toBe(false);
  });

  it('stops when its signal aborts', async () => {
    const controller = new AbortController();
    const source = randomBody(30 * MiB);
    const upload = s3.storage.upload('aborted', source.body, {
      sizeBytes: 30 * MiB,
      contentType: 'video/mp4',
      signal: controller.signal,
      onProgress: () => controller.abort(),
    });

    await expect(upload).rejects.toMatchObject({ name: 'AbortError' });
    expect(await s3.storage.exists('aborted')).toBe(false);
    expect(source.body.destroyed).toBe(true);
  });

  it('tells whether an object exists', async () => {
    await s3.storage.upload('present', Readable.from([Buffer.from('x')]), { sizeBytes: 1, contentType: 'video/mp4' });

    expect(await s3.storage.exists('present')).toBe(true);
    expect(await s3.storage.exists('absent')).toBe(false);
  });

  it('removes idempotently', async () => {
    await s3.storage.upload('doomed', Readable.from([Buffer.from('x')]), { sizeBytes: 1, contentType: 'video/mp4' });

    await s3.storage.remove('doomed');
    await s3.storage.remove('doomed');

    expect(await s3.storage.exists('doomed')).toBe(false);
  });

  it('reports a missing object as ObjectNotFound', async () => {
    await expect(s3.storage.read('never-written')).rejects.toBeInstanceOf(ObjectNotFound);
  });

  it('ensures an existing bucket again, keeping the objects it holds', async () => {
    await s3.storage.ensureBucket();
    await s3.storage.upload('kept', Readable.from([Buffer.from('still here')]), { sizeBytes: 10, contentType: 'video/mp4' });
    await s3.storage.ensureBucket();
    expect((await buffer(await s3.storage.read('kept'))).toString()).toBe('still here');
  });

  it('creates its bucket with S3_REGION eu-west-1, also where the store refuses that LocationConstraint (Ceph: 400 InvalidLocationConstraint)', async () => {
    const client = createTestS3Client(undefined, 'eu-west-1');
    const bucket = uniqueBucketName('reelay-region');
    try {
      await new S3ObjectStorage(client, { bucket, partSizeBytes: 5 * MiB, queueSize: 1 }).ensureBucket();
      const head = await client.send(new HeadBucketCommand({ Bucket: bucket }));
      expect(head.$metadata.httpStatusCode).toBe(200);
    } finally {
      await emptyAndDeleteBucket(client, bucket).catch(() => undefined);
      client.destroy();
    }
  });
});
