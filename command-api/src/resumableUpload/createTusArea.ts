import { FileStagingStore, type StagingStore } from '@reelay/platform';
import { fileTusArea } from './fileTusArea';
import type { TusArea } from './tusArea';

/** The tus area of the staging store `STAGING` names: the same folder or bucket and prefix. */
export function createTusArea(staging: StagingStore, expirationMs: number): TusArea {
  if (staging instanceof FileStagingStore) return fileTusArea(staging, expirationMs);
  // Loaded only for staging on S3: a command API that stages to a folder never loads the AWS SDK
  // or @tus/s3-store.
  const { S3StagingStore } = require('@reelay/platform/s3') as typeof import('@reelay/platform/s3');
  const { s3TusArea } = require('./s3TusArea') as typeof import('./s3TusArea');
  if (staging instanceof S3StagingStore) return s3TusArea(staging, expirationMs);
  throw new Error(`no tus area for this staging store (${staging.constructor.name})`);
}
