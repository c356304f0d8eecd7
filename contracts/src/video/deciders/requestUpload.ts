import { Conflict } from '../../errors';
import type { UserId, VideoId } from '../../ids';
import type { MetaInfo, VideoEventOf } from '../../events/videoEvents';
import type { VideoState } from '../state';

/** A complete, staged upload asks to be stored; `videoId` is chosen by the caller. */
export interface RequestUpload {
  readonly videoId: VideoId;
  readonly userId: UserId;
  /** As it goes to the log: the title and file name already sealed. */
  readonly metaInfo: MetaInfo;
  readonly stagingRef: string;
}

/** Opens a video's stream (→ PENDING). Only an empty stream can be opened: a second request is a Conflict. */
export function decideRequestUpload(command: RequestUpload, state: VideoState | undefined): VideoEventOf<'UploadRequested'>[] {
  if (state) throw new Conflict(`video ${command.videoId} was already requested`);
  const { videoId, userId, metaInfo, stagingRef } = command;
  return [{ type: 'UploadRequested', data: { videoId, userId, metaInfo, stagingRef } }];
}
