import { DeleteBucketCommand, DeleteObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { EMBEDDED_S3_CREDENTIALS } from '@reelay/platform';
import { createS3Client, S3ObjectStorage } from '@reelay/platform/s3';
import { uniqueName } from './testDatabase';

/** Which S3 the integration tests run against (`TEST_S3`): s3rver (the default), the Ceph gateway, or any other S3. */
export type TestS3Kind = 's3rver' | 'ceph' | 'other';

/**
 * The S3 of this test run, as globalSetup left it in the environment: `TEST_S3_ENDPOINT`,
 * `TEST_S3_REGION`, `TEST_S3_ACCESS_KEY_ID`, `TEST_S3_SECRET_ACCESS_KEY`,
 * `TEST_S3_FORCE_PATH_STYLE` and `TEST_S3_KIND`. Every test client and every service a test
 * starts signs with these, so the same suites run against s3rver, Ceph or another S3.
 */
export interface TestS3Settings {
  readonly kind: TestS3Kind;
  readonly endpoint: string;
  readonly region: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly forcePathStyle: boolean;
}

export function testS3(): TestS3Settings {
  const env = process.env;
  const endpoint = env.TEST_S3_ENDPOINT;
  if (!endpoint) throw new Error('TEST_S3_ENDPOINT is not set: run integration tests through jest (testing/src/globalSetup.ts)');
  const kind = (env.TEST_S3_KIND ?? 's3rver') as TestS3Kind;
  return {
    kind,
    endpoint,
    region: env.TEST_S3_REGION || 'us-east-1',
    accessKeyId: env.TEST_S3_ACCESS_KEY_ID || EMBEDDED_S3_CREDENTIALS.accessKeyId,
    secretAccessKey: env.TEST_S3_SECRET_ACCESS_KEY || EMBEDDED_S3_CREDENTIALS.secretAccessKey,
    forcePathStyle: env.TEST_S3_FORCE_PATH_STYLE !== 'false',
  };
}

/** The test S3's endpoint (globalSetup's s3rver, the Ceph gateway, or the S3 TEST_S3_ENDPOINT named). */
export function testS3Endpoint(): string {
  return testS3().endpoint;
}

/**
 * The `S3_*` variables that point a service process at the test S3, through `endpoint` when
 * given (a fault or throttling proxy in front of it).
 */
export function testS3Env(endpoint: string = testS3Endpoint()): Record<string, string> {
  const s3 = testS3();
  return {
    S3_ENDPOINT: endpoint,
    S3_REGION: s3.region,
    S3_ACCESS_KEY_ID: s3.accessKeyId,
    S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
    S3_FORCE_PATH_STYLE: String(s3.forcePathStyle),
  };
}

/**
 * Whether this run's S3 is `kind`: a test of one store's own behaviour (s3rver's missing
 * AbortMultipartUpload, say) runs as `(isTestS3('s3rver') ? it : it.skip)('… (s3rver only: why)')`.
 */
export function isTestS3(kind: TestS3Kind): boolean {
  return (process.env.TEST_S3_KIND ?? 's3rver') === kind;
}

/**
 * The staging kinds a suite run on both should cover: both on s3rver; on another S3 only `s3`, as
 * the file variant touches that S3 little or not at all and ran in the s3rver run already.
 */
export function stagingKindsUnderTest(): readonly ('file' | 's3')[] {
  return isTestS3('s3rver') ? ['file', 's3'] : ['s3'];
}

/** An S3 client for the test S3 (through `endpoint` when given: a proxy in front of it); destroy it when done. */
export function createTestS3Client(endpoint: string = testS3Endpoint(), region?: string): S3Client {
  const s3 = testS3();
  return createS3Client(
    {
      S3_ENDPOINT: endpoint,
      S3_REGION: region ?? s3.region,
      S3_FORCE_PATH_STYLE: s3.forcePathStyle,
      S3_ACCESS_KEY_ID: s3.accessKeyId,
      S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
    },
    endpoint,
  );
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

/** An S3ObjectStorage on a fresh bucket of its own on the test S3 (created already). */
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

/** Empties and deletes a bucket a test made on the test S3. */
export const emptyAndDeleteBucket = deleteBucket;
