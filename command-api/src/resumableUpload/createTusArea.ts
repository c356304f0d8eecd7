import { FileStagingStore, type StagingStore } from '@reelay/platform';
import { S3StagingStore } from '@reelay/platform/s3';
import { fileTusArea } from './fileTusArea';
import { s3TusArea } from './s3TusArea';
import type { TusArea } from './tusArea';

/** The tus area of the staging store `STAGING` names: the same folder or bucket and prefix. */
export function createTusArea(staging: StagingStore, expirationMs: number): TusArea {
  if (staging instanceof FileStagingStore) return fileTusArea(staging, expirationMs);
  if (staging instanceof S3StagingStore) return s3TusArea(staging, expirationMs);
  throw new Error(`no tus area for this staging store (${staging.constructor.name})`);
}
