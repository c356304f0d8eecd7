import type { VideoState } from '@reelay/contracts';
import { stagingRefName } from '@reelay/platform';

/** Why a staged file may go, or `keep`. */
export type StagedFileDecision = { readonly remove: false } | { readonly remove: true; readonly reason: string };

const KEEP: StagedFileDecision = { remove: false };

/**
 * Whether a staged file (old enough that no request can still own it) is still needed, given
 * the state of the video its name points at. Pure.
 *
 * - No video, or a video whose `UploadRequested` names another file: no event refers to it
 *   (a crash between staging and recording, a lost Idempotency-Key race, a failed clean-up).
 * - `UPLOADED` or `DELETED`: the uploader is done with it and normally removed it already; a
 *   crash between its append and its removal leaves it here.
 * - `PENDING`, `LOADING`: the uploader will read it. `FAILED`: kept for `POST …/retry`.
 */
export function decideStagedFile(name: string, videoId: string | undefined, state: VideoState | undefined): StagedFileDecision {
  if (videoId === undefined) return { remove: true, reason: 'its name is not one the command API gives' };
  if (!state) return { remove: true, reason: 'no event refers to it' };
  if (stagingRefName(state.stagingRef) !== name) return { remove: true, reason: 'its video refers to another staged file' };
  if (state.status === 'UPLOADED') return { remove: true, reason: 'its video is stored' };
  if (state.status === 'DELETED') return { remove: true, reason: 'its video is deleted' };
  return KEEP;
}
