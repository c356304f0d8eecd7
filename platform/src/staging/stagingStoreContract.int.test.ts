import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createTestS3Client, emptyAndDeleteBucket, uniqueBucketName } from '@reelay/testing';
import { FileStagingStore } from './fileStagingStore';
import { S3StagingStore } from './s3StagingStore';
import { stagingStoreContract } from './stagingStoreContract';

stagingStoreContract('file://', async () => {
  const directory = await mkdtemp(path.join(os.tmpdir(), 'reelay-staging-contract-'));
  return {
    store: new FileStagingStore(path.join(directory, 'staging')),
    foreignRef: `file://${path.join(directory, 'elsewhere')}`,
    dispose: () => rm(directory, { recursive: true, force: true }),
  };
});

stagingStoreContract('s3:// on s3rver', async () => {
  const client = createTestS3Client();
  const bucket = uniqueBucketName('reelay-staging');
  const store = new S3StagingStore(client, { bucket, prefix: 'in/coming' });
  await store.ensureBucket();
  return {
    store,
    foreignRef: `s3://${bucket}/other/prefix-file`,
    async dispose() {
      await emptyAndDeleteBucket(client, bucket);
      client.destroy();
    },
  };
});
