import { describe, it, expect, beforeAll, afterAll, beforeEach, afterEach } from '@jest/globals';
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import {
  createTestObjectStorage,
  createTestS3Client,
  emptyAndDeleteBucket,
  isTestS3,
  startS3FaultProxy,
  testS3Endpoint,
  uniqueBucketName,
  type S3FaultProxy,
  type TestObjectStorage,
} from '@reelay/testing';
import { InMemoryMultipartJournal } from './multipartJournal';
import type { ResumableUploadRequest } from './objectStorage';
import { S3ObjectStorage, type S3ObjectStorageOptions } from './s3ObjectStorage';

const MiB = 1024 * 1024;
const PART = 5 * MiB;
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
/** s3rver answers UploadPartCopy with 501 NotImplemented (it has CopyObject); every other store we run on copies parts. */
const copiesParts = !isTestS3('s3rver');

/**
 * Server-side copy from S3 staging into the videos bucket. The uploader's S3 traffic goes through
 * a fault proxy that counts part requests and the body bytes it forwards: a copy forwards none.
 */
describe('a resumable upload whose source lies in S3', () => {
  const stagingBucket = uniqueBucketName('reelay-copy-src');
  const bytes = randomBytes(4 * PART + 4321);
  let videos: TestObjectStorage;
  let proxy: S3FaultProxy;
  const clients: S3Client[] = [];
  let direct: S3Client;
  let opened: number[];

  /** The videos store as the uploader sees it: through the proxy. */
  const storage = (options: Partial<S3ObjectStorageOptions> = {}) => {
    const client = createTestS3Client(proxy.url);
    clients.push(client);
    return new S3ObjectStorage(client, { bucket: videos.bucket, partSizeBytes: PART, queueSize: 2, ...options });
  };
  /** Copies in parts whatever the size, as for an object over CopyObject's 5 GiB. */
  const inParts = { wholeCopyMaxBytes: 0 };

  const request = (journal: InMemoryMultipartJournal, sourceClient: S3Client, extra: Partial<ResumableUploadRequest> = {}): ResumableUploadRequest => ({
    sizeBytes: bytes.length,
    contentType: 'video/mp4',
    journal,
    openSource: async (start) => {
      opened.push(start);
      return Readable.from([bytes.subarray(start)]);
    },
    copySource: { client: sourceClient, bucket: stagingBucket, key: 'staging/clip' },
    ...extra,
  });

  const storedSha = async () => {
    const object = await direct.send(new GetObjectCommand({ Bucket: videos.bucket, Key: 'videos/clip' }));
    return sha256(await (object.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray());
  };

  beforeAll(async () => {
    direct = createTestS3Client();
    await new S3ObjectStorage(direct, { bucket: stagingBucket, partSizeBytes: PART, queueSize: 1 }).ensureBucket();
    await direct.send(new PutObjectCommand({ Bucket: stagingBucket, Key: 'staging/clip', Body: bytes, ContentLength: bytes.length }));
  });
  afterAll(async () => {
    await emptyAndDeleteBucket(direct, stagingBucket);
    direct.destroy();
  });
  beforeEach(async () => {
    videos = await createTestObjectStorage();
    proxy = await startS3FaultProxy(testS3Endpoint());
    opened = [];
  });
  afterEach(async () => {
    for (const client of clients.splice(0)) client.destroy();
    await proxy.close();
    await videos.cleanup();
  });

  it('is copied whole with one CopyObject when no part is stored yet: no byte through the uploader, SHA-256 identical, the video\'s content type', async () => {
    const progress: number[] = [];
    const sameStore = createTestS3Client(proxy.url);
    clients.push(sameStore);
    const journal = new InMemoryMultipartJournal();

    const result = await storage().uploadResumable('videos/clip', request(journal, sameStore, { onProgress: (p) => progress.push(p.uploadedBytes) }));

    expect(result).toMatchObject({ copiedBytes: bytes.length, sentBytes: 0, resumedBytes: 0 });
    expect(result.etag).not.toBe('');
    expect(opened).toEqual([]);
    expect(proxy.stats()).toMatchObject({ objectCopyRequests: 1, partCopyRequests: 0, partRequests: 0, bodyBytesForwarded: 0 });
    expect(progress).toEqual([bytes.length]);
    expect(await journal.load()).toBeUndefined();
    expect(await storedSha()).toBe(sha256(bytes));
    expect((await direct.send(new HeadObjectCommand({ Bucket: videos.bucket, Key: 'videos/clip' }))).ContentType).toBe('video/mp4');
  });

  it('repeats a whole copy cut short by a crash: nothing was journalled, the next attempt copies it whole again', async () => {
    const journal = new InMemoryMultipartJournal();
    const sameStore = createTestS3Client(proxy.url);
    clients.push(sameStore);
    proxy.inject({ fault: { kind: 'delay', ms: 5_000 }, operations: ['CopyObject'], times: 1 });
    const abort = new AbortController();
    const crash = new Error('the uploader died');
    setTimeout(() => abort.abort(crash), 300);
    await expect(storage().uploadResumable('videos/clip', request(journal, sameStore, { signal: abort.signal }))).rejects.toBe(crash);
    expect(await journal.load()).toBeUndefined();

    const result = await storage().uploadResumable('videos/clip', request(journal, sameStore));

    expect(result).toMatchObject({ copiedBytes: bytes.length, sentBytes: 0, resumedBytes: 0 });
    expect(opened).toEqual([]);
    expect(proxy.stats()).toMatchObject({ partCopyRequests: 0, bodyBytesForwarded: 0 });
    expect(await storedSha()).toBe(sha256(bytes));
  });

  it('counts an object already copied whole as stored when the staged copy is gone (an earlier attempt lost its answer)', async () => {
    const sameStore = createTestS3Client(proxy.url);
    clients.push(sameStore);
    await storage().uploadResumable('videos/clip', request(new InMemoryMultipartJournal(), sameStore));
    const gone = { ...request(new InMemoryMultipartJournal(), sameStore), copySource: { client: sameStore, bucket: stagingBucket, key: 'staging/removed' } };

    const result = await storage().uploadResumable('videos/clip', gone);

    expect(result).toMatchObject({ resumedBytes: bytes.length, sentBytes: 0, copiedBytes: 0 });
    expect(opened).toEqual([]);
    expect(await storedSha()).toBe(sha256(bytes));
  });

  (copiesParts ? it : it.skip)('is copied part by part above the whole-copy limit: no byte through the uploader, SHA-256 identical', async () => {
    const progress: number[] = [];
    const sameStore = createTestS3Client(proxy.url);
    clients.push(sameStore);

    const result = await storage({ wholeCopyMaxBytes: 4 * PART }).uploadResumable('videos/clip', request(new InMemoryMultipartJournal(), sameStore, { onProgress: (p) => progress.push(p.uploadedBytes) }));

    expect(result).toMatchObject({ copiedBytes: bytes.length, sentBytes: 0, resumedBytes: 0 });
    expect(opened).toEqual([]);
    expect(proxy.stats()).toMatchObject({ objectCopyRequests: 0, partCopyRequests: 5, partRequests: 0, bodyBytesForwarded: 0 });
    // One report per part, in the order they finish (the short last part may pass a full one).
    expect(progress).toHaveLength(5);
    expect(Math.max(...progress)).toBe(bytes.length);
    expect(await storedSha()).toBe(sha256(bytes));
  });

  (copiesParts ? it : it.skip)('resumes a part copy stopped half-way from its journalled parts, copying only the rest in parts (not whole)', async () => {
    const journal = new InMemoryMultipartJournal();
    const sameStore = createTestS3Client(proxy.url);
    clients.push(sameStore);
    const abort = new AbortController();
    const crash = new Error('the uploader died');
    await expect(
      storage(inParts).uploadResumable('videos/clip', request(journal, sameStore, { signal: abort.signal, onProgress: (p) => p.uploadedBytes >= 2 * PART && abort.abort(crash) })),
    ).rejects.toBe(crash);
    const journalled = (await journal.load())?.parts.length ?? 0;
    expect(journalled).toBeGreaterThanOrEqual(2);
    expect(journalled).toBeLessThan(5);

    const result = await storage().uploadResumable('videos/clip', request(journal, sameStore));

    expect(result.resumedBytes).toBe(journalled * PART);
    expect(result).toMatchObject({ sentBytes: 0, copiedBytes: bytes.length - journalled * PART });
    expect(opened).toEqual([]);
    expect(proxy.stats()).toMatchObject({ objectCopyRequests: 0, bodyBytesForwarded: 0 });
    expect(await storedSha()).toBe(sha256(bytes));
  });

  (copiesParts ? it.skip : it)('falls back to streaming on a store that cannot copy parts, and stops asking it (s3rver only: it answers 501)', async () => {
    const sameStore = createTestS3Client(proxy.url);
    clients.push(sameStore);
    const uploader = storage(inParts);

    const first = await uploader.uploadResumable('videos/clip', request(new InMemoryMultipartJournal(), sameStore));
    const copyAttempts = proxy.stats().partCopyRequests;
    const second = await uploader.uploadResumable('videos/clip', request(new InMemoryMultipartJournal(), sameStore));

    expect(first).toMatchObject({ copiedBytes: 0, sentBytes: bytes.length });
    expect(second).toMatchObject({ copiedBytes: 0, sentBytes: bytes.length });
    expect(copyAttempts).toBeGreaterThanOrEqual(1);
    expect(proxy.stats().partCopyRequests).toBe(copyAttempts);
    expect(await storedSha()).toBe(sha256(bytes));
  });

  it('streams when the staged object lies in another store (another endpoint or keys)', async () => {
    // The same bytes reached at another address: the uploader cannot know it is the same store.
    const result = await storage().uploadResumable('videos/clip', request(new InMemoryMultipartJournal(), direct));

    expect(result).toMatchObject({ copiedBytes: 0, sentBytes: bytes.length });
    expect(opened).toEqual([0]);
    expect(proxy.stats()).toMatchObject({ partCopyRequests: 0, bodyBytesForwarded: bytes.length });
    expect(await storedSha()).toBe(sha256(bytes));
  });
});
