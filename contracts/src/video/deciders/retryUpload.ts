import { Conflict } from '../../errors';
import type { UserId } from '../../ids';
import type { VideoEventOf } from '../../events/videoEvents';
import type { VideoState } from '../state';
import { ownedBy } from './ownership';

/** A user asks to try their failed upload again. */
export interface RetryUpload {
  readonly videoId: string;
  readonly userId: string;
}

/** FAILED → PENDING; its staged copy is still there. Any other status is a Conflict; another user's video is NotFound. */
export function decideRetryUpload(command: RetryUpload, state: VideoState | undefined): VideoEventOf<'UploadRetryRequested'>[] {
  const video = ownedBy(state, command.userId, command.videoId);
  if (video.status !== 'FAILED') throw new Conflict(`video ${command.videoId} is ${video.status}; only a FAILED upload can be retried`);
  return [{ type: 'UploadRetryRequested', data: { requestedBy: video.userId as UserId } }];
}
