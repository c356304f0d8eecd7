/**
 * What happens once every byte of a tus upload is stored: the upload is handed to staging and
 * `UploadRequested` is recorded, the same event as `POST /v1/videos` records. A process can die
 * between the last byte and the record; the upload then says "complete" to a client asking after
 * it, though no video exists. So a HEAD or a repeated last PATCH of a complete upload that is
 * not recorded records it (`recordIfUnrecorded`): the client that lost the answer is the one
 * that asks, and recording is idempotent (the video's stream must not exist yet).
 */
import { createHash } from 'node:crypto';
import type { Upload } from '@tus/utils';
import { videoStreamName, type VideoId } from '@reelay/contracts';
import { UserErased, type StagingStore } from '@reelay/platform';
import { WrongExpectedVersion } from '@reelay/event-store';
import { ContentMismatch } from '../contentDedupe/contentClaims';
import { erasedAccountDetail } from '../requestUpload/erasedAccount';
import { RecordOutcomeUnknown, recordUploadRequested } from '../requestUpload/recordUploadRequested';
import { videoIdOfStagingName } from '../requestUpload/stagingName';
import { tusError } from './stagingTusStore';
import type { TusRequestContext, TusServerDeps } from './tusServer';
import { describeUpload } from './uploadMetadata';

type RecordDeps = Pick<TusServerDeps, 'area' | 'store' | 'staging' | 'events' | 'personalData' | 'claims'>;

/** Hands the complete upload to staging and records `UploadRequested`; on a failure that recorded nothing, keeps nothing. */
export async function recordFinishedUpload(deps: RecordDeps, context: TusRequestContext, upload: Upload): Promise<void> {
  const videoId = videoIdOf(deps, upload);
  const ref = await deps.area.handOver(upload);
  try {
    await record(deps, context, upload, videoId, ref);
  } catch (error) {
    // A HEAD of this upload recorded it meanwhile (see recordIfUnrecorded): it is the video now.
    if (error instanceof WrongExpectedVersion) return;
    if (error instanceof RecordOutcomeUnknown) {
      // The bytes stay, handed over: the client's next HEAD finds the video, or records it then.
      context.onCleanupError(error);
      throw tusError(503, 'the event store stopped answering while the finished upload was being recorded, so it may or may not have been; ask again with HEAD');
    }
    await deps.staging.remove(ref).catch(context.onCleanupError);
    await deps.store.remove(upload.id).catch(context.onCleanupError);
    // tus's checksum extension answers a mismatch with 460; the client must not resume it.
    if (error instanceof ContentMismatch) throw tusError(460, error.message);
    // The user was forgotten before the last byte arrived: the upload is gone, not to be resumed.
    if (error instanceof UserErased) throw tusError(403, erasedAccountDetail(context.userId));
    context.onCleanupError(error);
    throw tusError(503, 'the upload could not be recorded (the event store is unavailable); nothing was kept, please upload again');
  }
  await context.onRecorded(videoId);
}

/**
 * Records a complete upload whose `UploadRequested` is missing, as its last PATCH would have.
 * A failure keeps the bytes: the client's next HEAD tries again.
 */
export async function recordIfUnrecorded(deps: RecordDeps, context: TusRequestContext, upload: Upload): Promise<void> {
  const videoId = videoIdOf(deps, upload);
  if ((await deps.events.readStream(videoStreamName(videoId), { maxCount: 1 })).length > 0) return;
  try {
    const ref = await deps.area.handOver(upload);
    await record(deps, context, upload, videoId, ref);
  } catch (error) {
    if (error instanceof WrongExpectedVersion) return;
    if (error instanceof ContentMismatch || error instanceof UserErased) {
      // Never to be recorded: as the last PATCH would have, keep nothing.
      await deps.staging.remove(deps.staging.refFor(deps.area.nameOf(upload.id))).catch(context.onCleanupError);
      await deps.store.remove(upload.id).catch(context.onCleanupError);
      throw error instanceof UserErased ? tusError(403, erasedAccountDetail(context.userId)) : tusError(460, error.message);
    }
    context.onCleanupError(error);
    throw tusError(503, 'the finished upload could not be recorded yet (the event store is unavailable); ask again with HEAD');
  }
  await context.onRecorded(videoId);
}

async function record(deps: RecordDeps, context: TusRequestContext, upload: Upload, videoId: VideoId, ref: string): Promise<void> {
  const size = upload.size ?? upload.offset;
  const sha256 = deps.store.takeSha256(upload.id, size) ?? (await sha256Of(deps.staging, ref));
  await recordUploadRequested(
    { store: deps.events, personalData: deps.personalData, claims: deps.claims },
    { videoId, userId: context.userId, metaInfo: { ...describeUpload(upload.metadata), sizeBytes: size, sha256 }, stagingRef: ref, requestId: context.requestId },
  );
}

function videoIdOf(deps: RecordDeps, upload: Upload): VideoId {
  const videoId = videoIdOfStagingName(deps.area.nameOf(upload.id));
  if (!videoId) throw tusError(404, 'unknown upload');
  return videoId;
}

/** Streams a staged file through SHA-256: for uploads resumed in another process. */
async function sha256Of(staging: StagingStore, ref: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of await staging.read(ref)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
