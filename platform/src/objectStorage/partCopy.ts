/**
 * Server-side copy of the parts of a multipart upload (`UploadPartCopy` with `CopySourceRange`):
 * the store copies the staged object's bytes into the videos bucket itself, so none of them
 * travel through the uploader. Parts copied this way are ordinary parts of the upload, journalled
 * like streamed ones, so a copy killed half-way is resumed (by copy or by streaming) from the
 * parts already stored.
 */
import { UploadPartCopyCommand, type S3Client } from '@aws-sdk/client-s3';
import type { PartRange } from './multipartPlan';

/** An object of the same store to copy from (it must be readable with the destination's credentials). */
export interface CopySource {
  readonly bucket: string;
  readonly key: string;
}

/** The store does not do UploadPartCopy (s3rver answers 501 NotImplemented): stream instead. */
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

async function copyPart(target: PartCopyTarget, part: PartRange): Promise<string> {
  const { client, bucket, key, uploadId, source, signal } = target;
  try {
    const answer = await client.send(
      new UploadPartCopyCommand({
        Bucket: bucket,
        Key: key,
        UploadId: uploadId,
        PartNumber: part.partNumber,
        CopySource: `${source.bucket}/${encodeURIComponent(source.key)}`,
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
