import type { Readable } from 'node:stream';
import { CompleteMultipartUploadCommand, CreateMultipartUploadCommand, PutObjectCommand, UploadPartCommand, type S3Client } from '@aws-sdk/client-s3';
import { ExactReader } from './exactReader';
import { MultipartUploadError, abortQuietly, wrap } from './multipartSteps';

export interface StreamedUploadOptions {
  readonly bucket: string;
  readonly key: string;
  /** Bytes per part (S3's minimum is 5 MiB but for the last); also the one buffer this holds. */
  readonly partSizeBytes: number;
  /** Aborting it fails the S3 request under way (or the next one) and aborts the multipart upload. */
  readonly signal?: AbortSignal;
}

/**
 * A stream of unknown length written to one object: one PutObject when it fits in a part, a
 * multipart upload part by part otherwise, aborted when anything fails. Parts are read into one
 * buffer reused for all of them, one part at a time, so memory is one part whatever the length,
 * and no block is allocated per part: with glibc's mmap threshold fixed (ADR 020) a fresh block
 * per part, as `@aws-sdk/lib-storage` cuts them, is a fresh mapping faulted in every time. The
 * stream's error, when it fails, is the error this rejects with.
 */
export async function streamedUpload(client: S3Client, options: StreamedUploadOptions, body: Readable): Promise<void> {
  const { bucket, key, partSizeBytes, signal } = options;
  const s3 = { abortSignal: signal };
  const reader = new ExactReader(body);
  const buffer = Buffer.allocUnsafeSlow(partSizeBytes);
  let part = await reader.fillUpTo(buffer);
  if (part.length < partSizeBytes || (await reader.atEnd())) {
    await wrap(`storing ${bucket}/${key}`, () => client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: part, ContentLength: part.length }), s3));
    return;
  }
  const created = await wrap(`starting the upload of ${bucket}/${key}`, () => client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key }), s3));
  const uploadId = created.UploadId;
  if (!uploadId) throw new MultipartUploadError(`S3 gave no upload id for ${bucket}/${key}`);
  try {
    const parts: { PartNumber: number; ETag: string }[] = [];
    while (part.length > 0) {
      const partNumber = parts.length + 1;
      const answer = await wrap(`uploading part ${partNumber} of ${bucket}/${key}`, () =>
        client.send(new UploadPartCommand({ Bucket: bucket, Key: key, UploadId: uploadId, PartNumber: partNumber, Body: part, ContentLength: part.length }), s3),
      );
      if (!answer.ETag) throw new MultipartUploadError(`S3 gave no ETag for part ${partNumber} of ${bucket}/${key}`);
      parts.push({ PartNumber: partNumber, ETag: answer.ETag });
      // S3 has the part whole, so its buffer can take the next one.
      part = await reader.fillUpTo(buffer);
    }
    await wrap(`completing the upload of ${bucket}/${key}`, () =>
      client.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId, MultipartUpload: { Parts: parts } }), s3),
    );
  } catch (error) {
    await abortQuietly(client, bucket, key, uploadId);
    throw error;
  }
}
