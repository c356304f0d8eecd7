import { describe, it, expect, beforeEach, afterEach } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { Upload } from '@tus/utils';
import { S3StagingStore } from '@reelay/platform/s3';
import { createTestS3Client, emptyAndDeleteBucket, uniqueBucketName } from '@reelay/testing';
import { s3TusArea } from './s3TusArea';
import type { TusArea } from './tusArea';

// Two areas on one bucket are two command API processes sharing `STAGING=s3://…`.
describe('tus on S3 staging shared by two processes', () => {
  let staging: S3StagingStore;
  let first: TusArea;
  let second: TusArea;
  beforeEach(async () => {
    staging = new S3StagingStore(createTestS3Client(), { bucket: uniqueBucketName('reelay-tus-shared'), prefix: 'staging' });
    await staging.ensureBucket();
    first = s3TusArea(staging, 60_000, 5 * 1024 * 1024);
    second = s3TusArea(staging, 60_000, 5 * 1024 * 1024);
  });
  afterEach(async () => {
    await emptyAndDeleteBucket(staging.client, staging.bucket);
    staging.client.destroy();
  });

  const create = async (size: number | undefined) => {
    const id = first.idFor(`${randomUUID()}-0badcafe`);
    await first.dataStore.create(new Upload({ id, size, offset: 0, metadata: { title: 'Ferry' } }));
    return id;
  };

  it('sees an upload removed by the other process as gone, not as complete', async () => {
    const id = await create(1000);
    expect((await second.dataStore.getUpload(id)).offset).toBe(0);

    await first.removeRecord(id);

    await expect(second.dataStore.getUpload(id)).rejects.toMatchObject({ status_code: 404 });
  });

  it('sees the length the other process declared for a deferred-length upload', async () => {
    const id = await create(undefined);
    expect((await second.dataStore.getUpload(id)).size).toBeUndefined();

    await first.dataStore.declareUploadLength(id, 1000);

    expect((await second.dataStore.getUpload(id)).size).toBe(1000);
  });
});
