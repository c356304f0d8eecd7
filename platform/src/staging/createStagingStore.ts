import type { Config } from '../config/config';
import { FileStagingStore } from './fileStagingStore';
import type { StagingStore } from './stagingStore';

/**
 * The staging store that `STAGING` names: `file://<dir>` (a local or mounted folder) or
 * `s3://<bucket>/<prefix>` (shared between machines; not implemented yet).
 */
export function createStagingStore(config: Pick<Config, 'STAGING'>): StagingStore {
  const staging = config.STAGING;
  if (staging.startsWith('file://')) {
    const directory = staging.slice('file://'.length);
    if (directory === '') throw new Error('STAGING file:// needs a directory, e.g. file:///var/lib/reelay/staging');
    return new FileStagingStore(directory);
  }
  if (staging.startsWith('s3://')) throw new Error('S3 staging is not implemented yet');
  throw new Error(`STAGING must be file://<dir> or s3://<bucket>/<prefix>, got ${staging}`);
}
