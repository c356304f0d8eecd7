import type { Config } from '../config/config';
import type { S3ClientConfig } from '../objectStorage/s3Client';
import { FileStagingStore } from './fileStagingStore';
import type { StagingStore } from './stagingStore';

const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/**
 * The staging store that `STAGING` names: `file://<dir>` (a local or mounted folder; one machine)
 * or `s3://<bucket>/<prefix>` (shared between machines, on the S3 that `S3_*` configure). Call
 * its `prepare()` before the first write.
 */
export function createStagingStore(config: Pick<Config, 'STAGING'> & Partial<S3ClientConfig>, s3EndpointOverride?: string): StagingStore {
  const staging = config.STAGING;
  if (staging.startsWith('file://')) {
    const directory = staging.slice('file://'.length);
    if (directory === '') throw new Error('STAGING file:// needs a directory, e.g. file:///var/lib/reelay/staging');
    return new FileStagingStore(directory);
  }
  if (staging.startsWith('s3://')) {
    const [bucket = '', ...prefix] = staging.slice('s3://'.length).split('/');
    if (!BUCKET.test(bucket)) throw new Error(`STAGING s3:// needs a valid bucket name, e.g. s3://reelay-staging/incoming, got ${staging}`);
    // Loaded only for staging on S3: a process that stages to a folder never loads the AWS SDK.
    const { createS3Client } = require('../objectStorage/s3Client') as typeof import('../objectStorage/s3Client');
    const { S3StagingStore } = require('./s3StagingStore') as typeof import('./s3StagingStore');
    const client = createS3Client(
      {
        S3_ENDPOINT: config.S3_ENDPOINT,
        S3_REGION: config.S3_REGION ?? 'us-east-1',
        S3_ACCESS_KEY_ID: config.S3_ACCESS_KEY_ID,
        S3_SECRET_ACCESS_KEY: config.S3_SECRET_ACCESS_KEY,
        S3_FORCE_PATH_STYLE: config.S3_FORCE_PATH_STYLE ?? true,
      },
      s3EndpointOverride,
    );
    return new S3StagingStore(client, { bucket, prefix: prefix.join('/') });
  }
  throw new Error(`STAGING must be file://<dir> or s3://<bucket>/<prefix>, got ${staging}`);
}
