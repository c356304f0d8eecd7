import type { VideoState } from '@reelay/contracts';

export type UploadDecision =
  | { readonly action: 'start'; readonly attempt: number }
  | { readonly action: 'skip'; readonly reason: string }
  | { readonly action: 'reject'; readonly reason: string };

/**
 * What an upload job should do given the video's current state. A job can arrive twice (a relay
 * re-publish, a redelivery after a crash), so the stream's state — not the job — decides.
 */
export function decideUpload(state: VideoState | undefined): UploadDecision {
  if (!state) return { action: 'reject', reason: 'no such video' };
  switch (state.status) {
    case 'PENDING':
    case 'LOADING':
      // LOADING: an earlier attempt died mid-way (its delivery came back); start a new one.
      return { action: 'start', attempt: state.attempt + 1 };
    case 'UPLOADED':
      return { action: 'skip', reason: 'already uploaded' };
    case 'DELETED':
      return { action: 'skip', reason: 'deleted' };
    case 'FAILED':
      return { action: 'skip', reason: 'failed; a retry request brings a new job' };
    default: {
      const never: never = state.status;
      return never;
    }
  }
}

/** True while `attempt` is still the video's live attempt: nobody deleted it or started another. */
export function ownsAttempt(state: VideoState | undefined, attempt: number): boolean {
  return state?.status === 'LOADING' && state.attempt === attempt;
}

/** Where a video's object lives in the bucket. */
export function objectKeyFor(videoId: string): string {
  return `videos/${videoId}`;
}
