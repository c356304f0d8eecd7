import type { UserId } from '../../ids';
import type { VideoEventOf } from '../../events/videoEvents';
import type { VideoState } from '../state';
import { ownedBy } from './ownership';

/** A user (or `reelay forget-user` on their behalf) deletes a video. */
export interface DeleteVideo {
  readonly videoId: string;
  readonly userId: string;
}

/**
 * Any status → DELETED, once: deleting a deleted video asks for nothing (not an error). An
 * upload still running stops at its next step. Another user's video is NotFound.
 */
export function decideDeleteVideo(command: DeleteVideo, state: VideoState | undefined): VideoEventOf<'VideoDeleted'>[] {
  const video = ownedBy(state, command.userId, command.videoId);
  if (video.status === 'DELETED') return [];
  return [{ type: 'VideoDeleted', data: { deletedBy: video.userId as UserId } }];
}
