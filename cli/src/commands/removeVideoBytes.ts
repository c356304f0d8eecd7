import { InvalidStagingRef, type Config, type ObjectStorage } from '@reelay/platform';
import { S3ObjectStorage, createS3Client } from '@reelay/platform/s3';
import type { VideoState } from '@reelay/contracts';
import { CliFailure } from '../cliContext';
import type { ForgetReport, ForgetUserDeps } from './forgetUser';

/** Removes each video's object and staged copy; removing what is already gone is no error. */
export async function removeVideoBytes(
  deps: Pick<ForgetUserDeps, 'objectStorage' | 'staging'>,
  states: readonly VideoState[],
): Promise<Pick<ForgetReport, 'objectsRemoved' | 'stagedCopiesRemoved' | 'stagedCopiesElsewhere'>> {
  let objectsRemoved = 0;
  let stagedCopiesRemoved = 0;
  let stagedCopiesElsewhere = 0;
  try {
    for (const state of states) {
      if (deps.objectStorage && state.bucket && state.objectKey) {
        await deps.objectStorage(state.bucket).remove(state.objectKey);
        objectsRemoved += 1;
      }
      try {
        await deps.staging.remove(state.stagingRef);
        stagedCopiesRemoved += 1;
      } catch (error) {
        // Another STAGING than the services': the uploader's VideoDeleted job removes it there.
        if (!(error instanceof InvalidStagingRef)) throw error;
        stagedCopiesElsewhere += 1;
      }
    }
  } catch (error) {
    throw new CliFailure(
      `the keys are destroyed and the read model scrubbed, but removing the videos' bytes failed (${error instanceof Error ? error.message : String(error)}); run forget-user again`,
      { cause: error },
    );
  }
  return { objectsRemoved: deps.objectStorage ? objectsRemoved : 'left to the uploader', stagedCopiesRemoved, stagedCopiesElsewhere };
}

/**
 * Object storage as the services reach it. Without S3_ENDPOINT the services use the embedded S3
 * that `npm start` runs on a port of its own, which this process cannot know: the uploader then
 * removes the objects when it handles the VideoDeleted jobs recorded here.
 */
export function objectStorageFor(config: Config): ((bucket: string) => ObjectStorage) | undefined {
  if (!config.S3_ENDPOINT) return undefined;
  const client = createS3Client(config);
  const byBucket = new Map<string, ObjectStorage>();
  return (bucket) => {
    let storage = byBucket.get(bucket);
    if (!storage) {
      storage = new S3ObjectStorage(client, { bucket, partSizeBytes: config.UPLOAD_PART_SIZE_BYTES, queueSize: config.UPLOAD_QUEUE_SIZE });
      byBucket.set(bucket, storage);
    }
    return storage;
  };
}
