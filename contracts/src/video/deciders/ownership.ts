import { NotFound } from '../../errors';
import type { VideoState } from '../state';

/** The video's state when it exists and is the caller's; NotFound otherwise, never revealing which. */
export function ownedBy(state: VideoState | undefined, userId: string, videoId: string): VideoState {
  if (!state || state.userId !== userId) throw new NotFound(`no video ${videoId} for this user`);
  return state;
}

/** True while `attempt` is the video's live attempt: nobody deleted the video or started another. */
export function ownsAttempt(state: VideoState | undefined, attempt: number): boolean {
  return state?.status === 'LOADING' && state.attempt === attempt;
}
