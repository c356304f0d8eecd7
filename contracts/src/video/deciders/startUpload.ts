import { NotFound } from '../../errors';
import type { VideoEventOf } from '../../events/videoEvents';
import type { VideoState } from '../state';

/** An upload job begins an attempt: where the object will be stored. */
export interface StartUpload {
  readonly videoId: string;
  readonly bucket: string;
  readonly objectKey: string;
}

/**
 * PENDING → LOADING with attempt n+1. LOADING → LOADING too: an earlier attempt died mid-way
 * and its job came back. A job can arrive twice (a relay re-publish, a redelivery), so an
 * UPLOADED, DELETED or FAILED video starts nothing (a retry request brings a new job).
 */
export function decideStartUpload(command: StartUpload, state: VideoState | undefined): VideoEventOf<'UploadStarted'>[] {
  if (!state) throw new NotFound(`no video ${command.videoId}`);
  if (state.status !== 'PENDING' && state.status !== 'LOADING') return [];
  return [{ type: 'UploadStarted', data: { attempt: state.attempt + 1, bucket: command.bucket, objectKey: command.objectKey } }];
}
