import { AbortMultipartUploadCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { CopyUnsupported } from './partCopy';

/** S3 (or anything speaking it) failed a multipart step; see `cause`. */
export class MultipartUploadError extends Error {
  override readonly name = 'MultipartUploadError';
}

/**
 * The multipart upload the journal named no longer exists (aborted, expired, or completed by
 * another process and then cleaned up). The journal is cleared; the next attempt starts over.
 */
export class MultipartUploadLost extends Error {
  override readonly name = 'MultipartUploadLost';
  readonly code = 'MULTIPART_UPLOAD_LOST';
}

/** The object's size and ETag; undefined when there is none. */
export async function headObject(client: S3Client, bucket: string, key: string, signal?: AbortSignal): Promise<{ size: number; etag: string } | undefined> {
  try {
    const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: signal });
    return { size: Number(head.ContentLength ?? -1), etag: head.ETag ?? '' };
  } catch (error) {
    if (statusOf(error) === 404) return undefined;
    throw new MultipartUploadError(`checking ${bucket}/${key} failed`, { cause: error });
  }
}

export async function abortQuietly(client: S3Client, bucket: string, key: string, uploadId: string): Promise<void> {
  await client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId })).catch(() => undefined);
}

/** Runs one S3 step; a failure becomes a MultipartUploadError naming it (a lost upload and an abort pass through). */
export async function wrap<T>(what: string, operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    if (isNoSuchUpload(error) || (error as Error | undefined)?.name === 'AbortError') throw error;
    throw new MultipartUploadError(`${what} failed`, { cause: error });
  }
}

/** The S3 error's name, looking through our wrappers. */
export function s3ErrorName(error: unknown): string | undefined {
  let current = error as { name?: string; cause?: unknown; $metadata?: unknown } | undefined;
  for (let depth = 0; current && depth < 5; depth += 1, current = current.cause as typeof current) {
    if (current.$metadata) return current.name;
  }
  return undefined;
}

export function unwrapCopyUnsupported(error: unknown): CopyUnsupported | undefined {
  const cause = (error as { cause?: unknown } | undefined)?.cause;
  if (error instanceof CopyUnsupported) return error;
  return cause instanceof CopyUnsupported ? cause : undefined;
}

export function isNoSuchUpload(error: unknown): boolean {
  return (error as Error | undefined)?.name === 'NoSuchUpload';
}

export function statusOf(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
}
