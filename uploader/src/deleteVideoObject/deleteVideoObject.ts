import type { DeleteJob, VideoState } from '@reelay/contracts';
import type { Logger, ObjectStorage, StagingStore } from '@reelay/platform';
import type { JobDelivery } from '@reelay/platform/jobs';
import type { CommandHandler } from '@reelay/event-store';
import { objectKeyFor } from '../uploadVideo/objectKey';
import type { UploadJournals } from '../uploadState/uploadJournal';

/** A `VideoDeleted` job: removes the object and any staged copy. Removing twice is harmless. */
export async function deleteVideoObject(
  job: DeleteJob,
  delivery: JobDelivery,
  deps: { repository: CommandHandler<VideoState | undefined>; storage: ObjectStorage; staging: StagingStore; journals: UploadJournals; logger: Logger },
): Promise<void> {
  const state = await deps.repository.load(job.videoId);
  if (!state) {
    delivery.term('no such video');
    return;
  }
  if (state.status !== 'DELETED') {
    // Only the log says what is deleted; a job that disagrees with it is not obeyed.
    deps.logger.warn({ videoId: job.videoId, status: state.status }, 'delete job for a video that is not deleted; ignoring');
    await delivery.ack();
    return;
  }
  await deps.storage.remove(state.objectKey ?? objectKeyFor(job.videoId));
  await deps.staging.remove(state.stagingRef);
  // An upload cut short by the deletion leaves a multipart upload behind: give it up, forget it.
  await deps.storage.discardResumable(objectKeyFor(job.videoId), deps.journals.forVideo(job.videoId, state.attempt)).catch(() => undefined);
  deps.logger.info({ videoId: job.videoId }, 'deleted video object removed');
  await delivery.ack();
}
