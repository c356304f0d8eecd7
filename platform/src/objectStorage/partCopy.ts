/**
 * Server-side copy: the store copies the staged object's bytes into the videos bucket itself, so
 * none of them travel through the uploader. Two ways:
 * - the whole object with one `CopyObject` (S3 allows it up to 5 GiB). Stores that keep both
 *   buckets in one pool copy it by reference (Ceph RGW: 256 MiB in 0.6 s), where a part copy
 *   still reads and writes every byte. Nothing to journal: a copy cut short is simply repeated.
 * - part by part (`UploadPartCopy` with `CopySourceRange`), for larger objects and for uploads
 *   that resume with parts already stored. These are ordinary parts of the multipart upload,
 *   journalled like streamed ones, so a copy killed half-way resumes from the parts stored.
 */
import { CopyObjectCommand, UploadPartCopyCommand, type S3Client } from '@aws-sdk/client-s3';
import type { PartRange } from './multipartPlan';

/** An object of the same store to copy from (it must be readable with the destination's credentials). */
export interface CopySource {
  readonly bucket: string;
  readonly key: string;
}

/** The largest object S3 copies with one CopyObject; larger ones are copied in parts. */
export const COPY_OBJECT_MAX_BYTES = 5 * 1024 ** 3;

/** The store does not do UploadPartCopy or CopyObject (s3rver answers 501 to the first): stream instead. */
export class CopyUnsupported extends Error {
  override readonly name = 'CopyUnsupported';
}

export interface PartCopyTarget {
  readonly client: S3Client;
  readonly bucket: string;
  readonly key: string;
  readonly uploadId: string;
  readonly source: CopySource;
  readonly concurrency: number;
  readonly signal?: AbortSignal;
}

/**
 * Copies `parts` a bounded number at a time, calling `partCopied` (which journals it) after each.
 * Rejects with CopyUnsupported when the store has no UploadPartCopy; the parts copied before
 * then stay stored and journalled.
 */
export async function copyParts(target: PartCopyTarget, parts: readonly PartRange[], partCopied: (part: PartRange, etag: string) => Promise<void>): Promise<void> {
  const queue = [...parts];
  const worker = async () => {
    for (let part = queue.shift(); part; part = queue.shift()) {
      target.signal?.throwIfAborted();
      const etag = await copyPart(target, part);
      await partCopied(part, etag);
    }
  };
  const workers = Array.from({ length: Math.max(1, Math.min(target.concurrency, parts.length)) }, worker);
  // One failure stops the others from taking new parts; the in-flight ones finish or fail too.
  const results = await Promise.allSettled(
    workers.map((running) =>
      running.catch((error: unknown) => {
        queue.length = 0;
        throw error;
      }),
    ),
  );
  const failed = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failed) throw failed.reason;
}

/**
 * Copies the whole source onto `bucket/key` with one CopyObject, giving it `contentType`, and
 * answers the new object's ETag (empty when the store gave none: look it up). Rejects with
 * CopyUnsupported when the store has no CopyObject.
 */
export async function copyObject(
  target: { readonly client: S3Client; readonly bucket: string; readonly key: string; readonly source: CopySource; readonly contentType: string; readonly signal?: AbortSignal },
): Promise<string> {
  const { client, bucket, key, source, contentType, signal } = target;
  try {
    const answer = await client.send(
      new CopyObjectCommand({
        Bucket: bucket,
        Key: key,
        CopySource: copySourceHeader(source),
        // The staged object's metadata is the staging store's; the video gets its own type.
        MetadataDirective: 'REPLACE',
        ContentType: contentType,
      }),
      { abortSignal: signal },
    );
    return answer.CopyObjectResult?.ETag ?? '';
  } catch (error) {
    if (isUnsupported(error)) throw new CopyUnsupported(`the store cannot copy objects server-side (${(error as Error).name})`, { cause: error });
    throw error;
  }
}

/** `bucket/key`, each segment of the key URL-encoded but its slashes kept (s3rver does not decode %2F). */
function copySourceHeader(source: CopySource): string {
  return `${source.bucket}/${source.key.split('/').map(encodeURIComponent).join('/')}`;
}

async function copyPart(target: PartCopyTarget, part: PartRange): Promise<string> {
  const { client, bucket, key, uploadId, source, signal } = target;
  try {
    const answer = await client.send(
      new UploadPartCopyCommand({
        Bucket: bucket,
        Key: key,
        UploadId: uploadId,
        PartNumber: part.partNumber,
        CopySource: copySourceHeader(source),
        CopySourceRange: `bytes=${part.start}-${part.end - 1}`,
      }),
      { abortSignal: signal },
    );
    const etag = answer.CopyPartResult?.ETag;
    if (!etag) throw new CopyUnsupported(`the store answered UploadPartCopy of part ${part.partNumber} of ${bucket}/${key} without an ETag`);
    return etag;
  } catch (error) {
    if (isUnsupported(error)) throw new CopyUnsupported(`the store cannot copy parts server-side (${(error as Error).name})`, { cause: error });
    throw error;
  }
}

function isUnsupported(error: unknown): boolean {
  const status = (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
  const name = error instanceof Error ? error.name : undefined;
  return status === 501 || name === 'NotImplemented';
}
