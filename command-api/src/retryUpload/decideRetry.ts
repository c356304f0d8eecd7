import { Conflict, type UploadRetryRequested, type VideoState } from '@reelay/contracts';
import type { z } from 'zod';
import { ownedBy } from '../ownership';

/** Only a `FAILED` upload can be tried again; its staged copy is still there. */
export function decideRetry(state: VideoState | undefined, userId: string, videoId: string): z.infer<typeof UploadRetryRequested>[] {
  const video = ownedBy(state, userId, videoId);
  if (video.status !== 'FAILED') throw new Conflict(`video ${videoId} is ${video.status}; only a FAILED upload can be retried`);
  return [{ type: 'UploadRetryRequested', data: { requestedBy: video.userId as never } }];
}
