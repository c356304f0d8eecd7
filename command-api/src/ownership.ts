import { NotFound, type VideoState } from '@reelay/contracts';

/** The video's state when it exists and is the caller's; NotFound otherwise, never revealing which. */
export function ownedBy(state: VideoState | undefined, userId: string, videoId: string): VideoState {
  if (!state || state.userId !== userId) throw new NotFound(`no video ${videoId} for this user`);
  return state;
}
