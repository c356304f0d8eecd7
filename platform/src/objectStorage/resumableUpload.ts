import type { Readable } from 'node:stream';
import { CompleteMultipartUploadCommand, CreateMultipartUploadCommand, UploadPartCommand, type S3Client } from '@aws-sdk/client-s3';
import { ExactReader, PartBuffers, SourceSizeMismatch } from './exactReader';
import type { MultipartJournal, StoredPart } from './multipartJournal';
import { copyWholeObject } from './copyWholeObject';
import { MultipartUploadError, MultipartUploadLost, abortQuietly, headObject, isNoSuchUpload, s3ErrorName, unwrapCopyUnsupported, wrap } from './multipartSteps';
import { copyParts, type CopySource, type CopyUnsupported } from './partCopy';
import { planParts, resumePlan, type PartRange } from './multipartPlan';
import type { ResumableUploadRequest, ResumedObject } from './objectStorage';

export { MultipartUploadError, MultipartUploadLost, SourceSizeMismatch };

/** Where and how: the request an `ObjectStorage` takes, with the bucket, key and part plan. */
export interface ResumableUploadOptions extends Omit<ResumableUploadRequest, 'copySource'> {
  readonly bucket: string;
  readonly key: string;
  readonly partSizeBytes: number;
  /** Parts sent at the same time; memory holds about (concurrency + 1) parts. */
  readonly concurrency: number;
  /**
   * The same bytes as an object of the same store: parts are then copied server-side
   * (UploadPartCopy) and `openSource` is only used if the store cannot copy.
   */
  readonly copySource?: CopySource;
  /**
   * A `copySource` of at most this many bytes is copied with one CopyObject when no part is
   * stored yet; larger ones, and uploads resuming from stored parts, are copied in parts.
   * 0 (the default) always copies in parts.
   */
  readonly wholeCopyMaxBytes?: number;
  /** False when the store is known not to copy parts: the parts are then streamed. Default true. */
  readonly copyInParts?: boolean;
  /** Told when the store turned out not to copy one way or the other, so the caller stops asking. */
  readonly onCopyUnsupported?: (error: CopyUnsupported, how: 'object' | 'parts') => void;
}

/**
 * A multipart upload driven part by part, so that it can be resumed by another process: the
 * upload id and every stored part's ETag go to `journal` (a durable write) before the upload goes
 * on; a later call reads the journal, opens the source at the first missing part and sends only
 * the parts that are missing. Parts are read from a stream one at a time and held as buffers
 * (so the SDK can retry a part after a 5xx or a reset with backoff and jitter), at most
 * `concurrency` in flight: memory stays near (concurrency + 1) × partSize whatever the size.
 */
export async function resumableUpload(client: S3Client, options: ResumableUploadOptions): Promise<ResumedObject> {
  const { bucket, key, sizeBytes, partSizeBytes, journal, signal } = options;
  signal?.throwIfAborted();
  const s3 = { abortSignal: signal };
  const plan = planParts(sizeBytes, partSizeBytes);

  let entry = await journal.load();
  // Any recorded completion counts, even an empty ETag (journalled before Ceph's empty answers
  // were caught): "" is not "not completed".
  if (entry && entry.completedEtag !== null) {
    // Completed before a crash; only recording it was left. Make sure the object is really there.
    const head = await headObject(client, bucket, key, signal);
    if (head?.size === sizeBytes && (entry.completedEtag || head.etag)) {
      return { bucket, key, etag: entry.completedEtag || head.etag, resumedBytes: sizeBytes, sentBytes: 0, copiedBytes: 0 };
    }
    await journal.forget();
    entry = undefined;
  }
  if (options.copySource && sizeBytes > 0 && sizeBytes <= (options.wholeCopyMaxBytes ?? 0) && !entry?.parts.length) {
    // Nothing stored yet: one CopyObject does it all. A multipart upload an earlier attempt began
    // without storing a part is of no use then.
    if (entry) {
      await abortQuietly(client, bucket, key, entry.uploadId);
      await journal.forget();
      entry = undefined;
    }
    const copied = await copyWholeObject(client, { ...options, copySource: options.copySource });
    if (copied) return copied;
  }
  if (entry && entry.partSizeBytes !== partSizeBytes) {
    // Parts cut with another size cannot be combined with ours: start over.
    await abortQuietly(client, bucket, key, entry.uploadId);
    await journal.forget();
    entry = undefined;
  }
  if (!entry) {
    const created = await wrap(`starting the upload of ${bucket}/${key}`, () =>
      client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ContentType: options.contentType }), s3),
    );
    if (!created.UploadId) throw new MultipartUploadError(`S3 gave no upload id for ${bucket}/${key}`);
    await journal.begin(created.UploadId, partSizeBytes);
    entry = { uploadId: created.UploadId, partSizeBytes, parts: [], completedEtag: null };
  }
  const uploadId = entry.uploadId;
  const parts = new Map<number, string>(entry.parts.map((part) => [part.partNumber, part.etag]));
  const resume = resumePlan(plan, new Set(parts.keys()));
  let storedBytes = resume.storedBytes;
  let sentBytes = 0;
  let copiedBytes = 0;

  const partStored = async (part: PartRange, etag: string, how: 'sent' | 'copied') => {
    await journal.partStored(uploadId, { partNumber: part.partNumber, etag } satisfies StoredPart);
    parts.set(part.partNumber, etag);
    const bytes = part.end - part.start;
    storedBytes += bytes;
    if (how === 'sent') sentBytes += bytes;
    else copiedBytes += bytes;
    options.onProgress?.({ uploadedBytes: storedBytes, totalBytes: sizeBytes, sentBytes });
  };

  const sendPart = async (part: PartRange, body: Buffer) => {
    const answer = await wrap(`uploading part ${part.partNumber} of ${bucket}/${key}`, () =>
      client.send(new UploadPartCommand({ Bucket: bucket, Key: key, UploadId: uploadId, PartNumber: part.partNumber, Body: body, ContentLength: body.length }), s3),
    );
    if (!answer.ETag) throw new MultipartUploadError(`S3 gave no ETag for part ${part.partNumber} of ${bucket}/${key}`);
    await partStored(part, answer.ETag, 'sent');
  };

  try {
    if (resume.missing.length > 0 && options.copySource && options.copyInParts !== false && sizeBytes > 0) {
      const copyTarget = { client, bucket, key, uploadId, source: options.copySource, concurrency: options.concurrency, signal };
      await wrap(`copying ${options.copySource.bucket}/${options.copySource.key} into ${bucket}/${key}`, () =>
        copyParts(copyTarget, resume.missing, (part, etag) => partStored(part, etag, 'copied')),
      ).catch((error: unknown) => {
        const unsupported = unwrapCopyUnsupported(error);
        if (!unsupported) throw error;
        options.onCopyUnsupported?.(unsupported, 'parts');
      });
    }
    const left = resumePlan(plan, new Set(parts.keys()));
    if (left.missing.length > 0) {
      const source = await options.openSource(left.readFrom);
      try {
        await sendMissingParts(source, plan, left.readFrom, parts, options.concurrency, sendPart, signal);
      } finally {
        source.destroy();
      }
    }
    const completed = await wrap(`completing the upload of ${bucket}/${key}`, () =>
      client.send(
        new CompleteMultipartUploadCommand({
          Bucket: bucket,
          Key: key,
          UploadId: uploadId,
          MultipartUpload: { Parts: plan.map((part) => ({ PartNumber: part.partNumber, ETag: parts.get(part.partNumber) })) },
        }),
        s3,
      ),
    );
    // Ceph's gateway answers the first completion with an empty ETag; the object has the right one.
    const etag = completed.ETag || (await headObject(client, bucket, key, signal))?.etag;
    if (!etag) throw new MultipartUploadError(`S3 gave no ETag for the completed ${bucket}/${key}`);
    await journal.completed(etag);
    return { bucket, key, etag, resumedBytes: resume.storedBytes, sentBytes, copiedBytes };
  } catch (error) {
    if (signal?.aborted) throw signal.reason ?? error;
    // Whatever failed, the object may be whole already: another copy completed it first, or an
    // earlier completion went through but its answer was lost with the process that sent it. A
    // repeat of that completion then fails (NoSuchUpload on S3; s3rver answers 500), every time.
    // The key is this video's and the bytes are its staged copy, so the right size is the object.
    const head = await headObject(client, bucket, key, signal).catch(() => undefined);
    if (head?.size === sizeBytes && head.etag) {
      await journal.completed(head.etag);
      return { bucket, key, etag: head.etag, resumedBytes: resume.storedBytes, sentBytes, copiedBytes };
    }
    if (isNoSuchUpload(error) || s3ErrorName(error) === 'InvalidPart') {
      await journal.forget();
      throw new MultipartUploadLost(`the multipart upload of ${bucket}/${key} no longer exists; starting over next time`, { cause: error });
    }
    throw error;
  }
}

/** Gives up a journalled upload for good (best effort: s3rver does not implement the abort). */
export async function discardResumableUpload(client: S3Client, bucket: string, key: string, journal: MultipartJournal): Promise<void> {
  const entry = await journal.load();
  if (entry && !entry.completedEtag) await abortQuietly(client, bucket, key, entry.uploadId);
  await journal.forget();
}

/** Reads the source from `readFrom` part by part and sends the parts not in `stored`, a bounded number at a time. */
async function sendMissingParts(
  source: Readable,
  plan: readonly PartRange[],
  readFrom: number,
  stored: ReadonlyMap<number, string>,
  concurrency: number,
  sendPart: (part: PartRange, body: Buffer) => Promise<void>,
  signal: AbortSignal | undefined,
): Promise<void> {
  const reader = new ExactReader(source);
  const buffers = new PartBuffers();
  const inFlight = new Set<Promise<void>>();
  let failure: { error: unknown } | undefined;
  for (const part of plan) {
    if (part.start < readFrom) continue;
    // Parts after the first missing one may be stored already (parts finish out of order): read past them.
    const body = await reader.fill(buffers.take(part.end - part.start));
    if (failure) break;
    signal?.throwIfAborted();
    if (stored.has(part.partNumber)) {
      buffers.release(body);
      continue;
    }
    const sending: Promise<void> = sendPart(part, body)
      // Only a part S3 has acknowledged is wholly read; after a failure the buffer is left alone.
      .then(() => buffers.release(body))
      .catch((error: unknown) => {
        failure ??= { error };
      })
      .finally(() => inFlight.delete(sending));
    inFlight.add(sending);
    while (inFlight.size >= concurrency) await Promise.race(inFlight);
    if (failure) break;
  }
  await Promise.all(inFlight);
  if (failure) throw failure.error;
  signal?.throwIfAborted();
  if (!(await reader.atEnd())) throw new SourceSizeMismatch('the source is longer than its announced size');
}
