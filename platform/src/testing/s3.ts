import { DeleteBucketCommand, DeleteObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { createS3Client } from '../objectStorage/s3Client';
import { S3ObjectStorage } from '../objectStorage/s3ObjectStorage';
import { uniqueName } from './testDatabase';

/** The s3rver that globalSetup started for this run. */
export function testS3Endpoint(): string {
  const endpoint = process.env.TEST_S3_ENDPOINT;
  if (!endpoint) throw new Error('TEST_S3_ENDPOINT is not set: run integration tests through jest (platform/src/testing/globalSetup.ts)');
  return endpoint;
}

/** An S3 client for the test s3rver; destroy it when done. */
export function createTestS3Client(endpoint: string = testS3Endpoint()): S3Client {
  return createS3Client({ S3_REGION: 'us-east-1', S3_FORCE_PATH_STYLE: true }, endpoint);
}

/** A random, valid bucket name (uniqueName's underscore is not allowed in bucket names). */
export function uniqueBucketName(prefix = 'reelay-test'): string {
  return uniqueName(prefix).replace(/_/g, '-').toLowerCase();
}

export interface TestObjectStorage {
  readonly storage: S3ObjectStorage;
  readonly client: S3Client;
  readonly bucket: string;
  /** Empties and deletes the bucket and closes the client. */
  cleanup(): Promise<void>;
}

/** An S3ObjectStorage on a fresh bucket of its own on the test s3rver (created already). */
export async function createTestObjectStorage(
  options: { partSizeBytes?: number; queueSize?: number; endpoint?: string } = {},
): Promise<TestObjectStorage> {
  const client = createTestS3Client(options.endpoint);
  const bucket = uniqueBucketName();
  const storage = new S3ObjectStorage(client, {
    bucket,
    partSizeBytes: options.partSizeBytes ?? 5 * 1024 ** 2,
    queueSize: options.queueSize ?? 2,
  });
  await storage.ensureBucket();
  return {
    storage,
    client,
    bucket,
    cleanup: async () => {
      try {
        await deleteBucket(client, bucket);
      } finally {
        client.destroy();
      }
    },
  };
}

async function deleteBucket(client: S3Client, bucket: string): Promise<void> {
  for (;;) {
    const listing = await client.send(new ListObjectsV2Command({ Bucket: bucket }));
    const keys = (listing.Contents ?? []).flatMap((object) => (object.Key === undefined ? [] : [object.Key]));
    if (keys.length === 0) break;
    await Promise.all(keys.map((Key) => client.send(new DeleteObjectCommand({ Bucket: bucket, Key }))));
  }
  await client.send(new DeleteBucketCommand({ Bucket: bucket }));
}

/** Empties and deletes a bucket a test made on the test s3rver. */
export const emptyAndDeleteBucket = deleteBucket;
