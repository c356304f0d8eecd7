import type { MediaFacts, VideoEventOf } from '../../events/videoEvents';
import type { VideoState } from '../state';

export type ProbeDecision =
  | { readonly action: 'probe'; readonly bucket: string; readonly objectKey: string }
  | { readonly action: 'skip'; readonly reason: string }
  | { readonly action: 'reject'; readonly reason: string };

/**
 * Whether a probe job has anything to do: only an UPLOADED video whose container was not read
 * yet. A job can come twice (relay re-publish, redelivery), and the video may have been deleted
 * meanwhile: the stream's state decides, as for uploads.
 */
export function decideProbe(state: VideoState | undefined): ProbeDecision {
  if (!state) return { action: 'reject', reason: 'no such video' };
  if (state.status !== 'UPLOADED') return { action: 'skip', reason: `video is ${state.status}` };
  if (state.media.probe !== 'unknown') return { action: 'skip', reason: `already ${state.media.probe}` };
  if (!state.bucket || !state.objectKey) return { action: 'reject', reason: 'uploaded video without an object' };
  return { action: 'probe', bucket: state.bucket, objectKey: state.objectKey };
}

/** What reading the stored container found: its facts, or why it could not be read. */
export type FinishProbe = { readonly facts: MediaFacts } | { readonly unreadable: string };

/** The facts (or the failure) of a video still waiting for them, as `decideProbe` says; UPLOADED stays UPLOADED. */
export function decideFinishProbe(command: FinishProbe, state: VideoState | undefined): (VideoEventOf<'MediaProbed'> | VideoEventOf<'MediaProbeFailed'>)[] {
  if (decideProbe(state).action !== 'probe') return [];
  return 'facts' in command ? [{ type: 'MediaProbed', data: { facts: command.facts } }] : [{ type: 'MediaProbeFailed', data: { reason: command.unreadable } }];
}
