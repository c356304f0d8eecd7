import type { VideoEventOf } from '../../events/videoEvents';
import type { VideoState } from '../state';
import { ownsAttempt } from './ownership';

/** An attempt ended for good. `retryable`: a user's retry may succeed, so the staged copy stays. */
export interface FailUpload {
  readonly attempt: number;
  readonly code: string;
  readonly reason: string;
  readonly retryable: boolean;
}

/** LOADING → FAILED, only for the live attempt: one overtaken by a deletion or another attempt fails nothing. */
export function decideFailUpload(command: FailUpload, state: VideoState | undefined): VideoEventOf<'UploadFailed'>[] {
  if (!ownsAttempt(state, command.attempt)) return [];
  const { attempt, code, reason, retryable } = command;
  return [{ type: 'UploadFailed', data: { attempt, code, reason, retryable } }];
}

/** No uploader has touched the video's upload for `idleMs`: its job is gone. */
export interface FailAbandonedUpload {
  readonly idleMs: number;
}

/**
 * LOADING → FAILED (retryable, `UPLOAD_ABANDONED`) at whatever attempt is live, so the user is told
 * and can retry. Any other status has nothing uploading: nothing to fail.
 */
export function decideFailAbandonedUpload(command: FailAbandonedUpload, state: VideoState | undefined): VideoEventOf<'UploadFailed'>[] {
  if (state?.status !== 'LOADING') return [];
  const reason = `no uploader worked on attempt ${state.attempt} for ${Math.round(command.idleMs / 1000)} s (its job is gone); retry to upload it again`;
  return decideFailUpload({ attempt: state.attempt, code: 'UPLOAD_ABANDONED', reason, retryable: true }, state);
}
