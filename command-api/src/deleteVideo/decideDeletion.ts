import type { VideoDeleted, VideoState } from '@reelay/contracts';
import type { z } from 'zod';
import { ownedBy } from '../ownership';

/** Deleting asks for `VideoDeleted` once; deleting a deleted video asks for nothing (not an error). */
export function decideDeletion(state: VideoState | undefined, userId: string, videoId: string): z.infer<typeof VideoDeleted>[] {
  const video = ownedBy(state, userId, videoId);
  if (video.status === 'DELETED') return [];
  return [{ type: 'VideoDeleted', data: { deletedBy: video.userId as never } }];
}
