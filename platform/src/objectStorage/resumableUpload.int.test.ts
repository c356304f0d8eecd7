import { describe, it, expect, beforeEach, afterEach } from '@jest/globals';
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { createTestObjectStorage, createTestS3Client, startS3FaultProxy, testS3Endpoint, type S3FaultProxy, type TestObjectStorage } from '@reelay/testing';
import { InMemoryMultipartJournal, type MultipartJournal } from './multipartJournal';
import { SourceSizeMismatch, resumableUpload, type ResumableUploadOptions } from './resumableUpload';

const MiB = 1024 * 1024;
const PART = 5 * MiB;
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe('a resumable multipart upload', () => {
  let s3: TestObjectStorage;
  let proxy: S3FaultProxy;
  let client: ReturnType<typeof createTestS3Client>;
  const bytes = randomBytes(3 * PART + 1234);
  const opened: number[] = [];

  const options = (journal: MultipartJournal, extra: Partial<ResumableUploadOptions> = {}): ResumableUploadOptions => ({
    bucket: s3.bucket,
    key: 'videos/resumable',
    sizeBytes: bytes.length,
    contentType: 'video/mp4',
    partSizeBytes: PART,
    concurrency: 1,
    journal,
    openSource: async (start) => {
      opened.push(start);
      return Readable.from([bytes.subarray(start, start + 3 * MiB), bytes.subarray(start + 3 * MiB)]);
    },
    ...extra,
  });

  const stored = async () => {
    const object = await s3.client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: 'videos/resumable' }));
    return Buffer.from(await (object.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray());
  };

  beforeEach(async () => {
    s3 = await createTestObjectStorage();
    proxy = await startS3FaultProxy(testS3Endpoint());
    client = createTestS3Client(proxy.url);
    opened.length = 0;
  });
  afterEach(async () => {
    client.destroy();
    await proxy.close();
    await s3.cleanup();
  });

  it('resumed from its journal, reads the source from the first missing part and sends only the missing parts', async () => {
    const journal = new InMemoryMultipartJournal();
    const abort = new AbortController();
    const crash = new Error('the process died');
    await expect(
      resumableUpload(client, options(journal, { signal: abort.signal, onProgress: ({ uploadedBytes }) => uploadedBytes >= 2 * PART && abort.abort(crash) })),
    ).rejects.toBe(crash);
    expect((await journal.load())?.parts.map((p) => p.partNumber)).toEqual([1, 2]);

    const result = await resumableUpload(client, options(journal));

    expect(opened).toEqual([0, 2 * PART]);
    expect(result).toMatchObject({ resumedBytes: 2 * PART, sentBytes: bytes.length - 2 * PART });
    expect(proxy.stats()).toMatchObject({ partRequests: 4, bodyBytesForwarded: bytes.length });
    expect(sha256(await stored())).toBe(sha256(bytes));
  });

  it('sends nothing again when only recording the completion was left', async () => {
    const journal = new InMemoryMultipartJournal();
    const first = await resumableUpload(client, options(journal));
    const before = proxy.stats().partRequests;

    const again = await resumableUpload(client, options(journal));

    expect(again).toMatchObject({ etag: first.etag, sentBytes: 0 });
    expect(proxy.stats().partRequests).toBe(before);
  });

  it('records the stored object\'s ETag, never an empty one (Ceph answers the first completion with none)', async () => {
    const journal = new InMemoryMultipartJournal();
    const result = await resumableUpload(client, options(journal));
    const head = await s3.client.send(new HeadObjectCommand({ Bucket: s3.bucket, Key: 'videos/resumable' }));

    expect(head.ETag).toMatch(/^"[0-9a-f]{32}(-4)?"$/);
    expect(result.etag).toBe(head.ETag);
    expect((await journal.load())?.completedEtag).toBe(head.ETag);
  });

  it('takes a journalled completion with an empty ETag for completed, and never completes again', async () => {
    const journal = new InMemoryMultipartJournal();
    await resumableUpload(client, options(journal));
    // What the journal held when the gateway's empty answer was recorded as it came.
    await journal.completed('');
    proxy.inject({ fault: { kind: 'status', status: 500, code: 'InternalError' }, operations: ['CompleteMultipartUpload'] });
    const before = proxy.stats().partRequests;

    const again = await resumableUpload(client, options(journal));

    expect(proxy.stats()).toMatchObject({ faultsInjected: 0, partRequests: before });
    expect(again).toMatchObject({ sentBytes: 0, resumedBytes: bytes.length });
    expect(again.etag).toMatch(/^"[0-9a-f]{32}(-4)?"$/);
  });

  it('takes the object as done when a crash lost the answer to its completion', async () => {
    const journal = new InMemoryMultipartJournal();
    // The process dies after S3 completed the upload and before the journal heard of it.
    const crash = new Error('the process died');
    const forgetful: MultipartJournal = {
      load: () => journal.load(),
      begin: (uploadId, partSizeBytes) => journal.begin(uploadId, partSizeBytes),
      partStored: (uploadId, part) => journal.partStored(uploadId, part),
      completed: () => Promise.reject(crash),
      forget: () => journal.forget(),
    };
    await expect(resumableUpload(client, options(forgetful))).rejects.toBe(crash);
    expect((await journal.load())?.completedEtag).toBeNull();
    const before = proxy.stats().partRequests;

    const again = await resumableUpload(client, options(journal));

    expect(again).toMatchObject({ sentBytes: 0 });
    expect(proxy.stats().partRequests).toBe(before);
    expect((await journal.load())?.completedEtag).toBe(again.etag);
    expect(sha256(await stored())).toBe(sha256(bytes));
  });

  it('completes nothing from a source shorter than announced', async () => {
    const journal = new InMemoryMultipartJournal();
    await expect(resumableUpload(client, options(journal, { sizeBytes: bytes.length + PART }))).rejects.toBeInstanceOf(SourceSizeMismatch);
    await expect(s3.client.send(new HeadObjectCommand({ Bucket: s3.bucket, Key: 'videos/resumable' }))).rejects.toMatchObject({ $metadata: { httpStatusCode: 404 } });
  });

  it('stores every byte in place when parts finish out of order and their buffers are reused', async () => {
    const journal = new InMemoryMultipartJournal();
    const source = randomBytes(7 * PART + 4321);
    // The first part is held back and the second fails once and is retried: the parts after
    // them finish first and their buffers are filled again while those two are still in flight.
    proxy.inject({ fault: { kind: 'delay', ms: 400 }, operations: ['UploadPart'], times: 1 });
    proxy.inject({ fault: { kind: 'status', status: 503, code: 'SlowDown' }, operations: ['UploadPart'], times: 1 });
    const result = await resumableUpload(
      client,
      options(journal, {
        sizeBytes: source.length,
        concurrency: 3,
        // Chunks that do not line up with the parts, as a file or socket gives them.
        openSource: async () => Readable.from(Array.from({ length: Math.ceil(source.length / (3 * MiB)) }, (_, i) => source.subarray(i * 3 * MiB, (i + 1) * 3 * MiB))),
      }),
    );
    expect(result.sentBytes).toBe(source.length);
    expect(proxy.stats()).toMatchObject({ partRequests: 8, faultsInjected: 2 });
    expect(sha256(await stored())).toBe(sha256(source));
  });

  it('reads a part only when a slot is free, so memory holds a few parts, never the whole source', async () => {
    const journal = new InMemoryMultipartJournal();
    const parts = 12;
    let produced = 0;
    let stored = 0;
    let peakAhead = 0;
    proxy.inject({ fault: { kind: 'delay', ms: 100 }, operations: ['UploadPart'] });
    const result = await resumableUpload(
      client,
      options(journal, {
        key: 'videos/large',
        sizeBytes: parts * PART,
        concurrency: 2,
        // Generated as it is read: 60 MiB that never exist at once in the test either.
        openSource: async () =>
          new Readable({
            highWaterMark: MiB,
            read() {
              if (produced === parts * PART) return void this.push(null);
              produced += MiB;
              peakAhead = Math.max(peakAhead, produced - stored);
              this.push(Buffer.alloc(MiB, produced / MiB));
            },
          }),
        onProgress: ({ uploadedBytes }) => {
          stored = uploadedBytes;
        },
      }),
    );
    expect(result.sentBytes).toBe(parts * PART);
    // Two parts in flight, one being cut, and the stream's own buffer: about four parts of twelve.
    expect(peakAhead).toBeLessThanOrEqual(4 * PART + 2 * MiB);
  });
});
