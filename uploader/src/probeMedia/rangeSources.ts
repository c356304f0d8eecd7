import { open } from 'node:fs/promises';
import { GetObjectCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { RangeSource } from './readMediaFacts';

/** The stored video in S3, read one `Range` GET at a time: nothing is downloaded whole. */
export async function s3RangeSource(client: S3Client, bucket: string, key: string): Promise<RangeSource> {
  const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
  const sizeBytes = head.ContentLength ?? 0;
  return {
    sizeBytes,
    async read(offset, length) {
      const end = Math.min(offset + length, sizeBytes) - 1;
      if (end < offset) return new Uint8Array(0);
      const answer = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key, Range: `bytes=${offset}-${end}` }));
      return answer.Body ? answer.Body.transformToByteArray() : new Uint8Array(0);
    },
  };
}

/** A local file read by positioned reads (tests and the benchmark); close it when done. */
export async function fileRangeSource(file: string): Promise<RangeSource & { close(): Promise<void> }> {
  const handle = await open(file, 'r');
  const { size } = await handle.stat();
  return {
    sizeBytes: size,
    async read(offset, length) {
      const buffer = new Uint8Array(Math.max(0, Math.min(length, size - offset)));
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, offset);
      return buffer.subarray(0, bytesRead);
    },
    close: () => handle.close(),
  };
}
