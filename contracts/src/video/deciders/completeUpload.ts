import type { VideoEventOf } from '../../events/videoEvents';
import type { VideoState } from '../state';
import { ownsAttempt } from './ownership';

/** An attempt stored the whole object. Times are the uploader's clock, in epoch milliseconds. */
export interface CompleteUpload {
  readonly attempt: number;
  readonly bucket: string;
  readonly objectKey: string;
  readonly etag: string;
  readonly startedAtMs: number;
  readonly completedAtMs: number;
}

/**
 * LOADING → UPLOADED, only for the live attempt: one that was overtaken by a deletion or by
 * another attempt completes nothing. The size is the one the request announced.
 */
export function decideCompleteUpload(command: CompleteUpload, state: VideoState | undefined): VideoEventOf<'UploadCompleted'>[] {
  if (!state || !ownsAttempt(state, command.attempt)) return [];
  const { attempt, bucket, objectKey, etag } = command;
  const durationMs = Math.max(0, Math.round(command.completedAtMs - command.startedAtMs));
  return [{ type: 'UploadCompleted', data: { attempt, bucket, objectKey, etag, sizeBytes: state.metaInfo.sizeBytes, durationMs } }];
}
