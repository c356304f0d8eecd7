import type { VideoStatus } from '../status';
import type { MediaFacts, MetaInfo, VideoEvent } from '../events/videoEvents';
import type { RecordedEvent } from '../events/recorded';
import { assertNever } from '../assertNever';
import { statusAfter } from './statusAfter';

/** What the write side knows of one video: the fold of its stream. */
export interface VideoState {
  readonly videoId: string;
  readonly userId: string;
  readonly status: VideoStatus;
  readonly metaInfo: MetaInfo;
  readonly stagingRef: string;
  readonly requestedAt: string;
  /** The revision of the last event folded in: the expected revision of the next append. */
  readonly revision: number;
  /** The number of the latest `UploadStarted`, 0 before the first. */
  readonly attempt: number;
  readonly bucket: string | null;
  readonly objectKey: string | null;
  readonly uploadedBytes: number;
  readonly uploadedPercentage: number;
  readonly uploadedAt: string | null;
  readonly failure: { readonly reason: string; readonly code: string; readonly retryable: boolean } | null;
  /** What the container says, once read; `failed` when it could not be; `unknown` before. */
  readonly media: { readonly probe: 'unknown' } | { readonly probe: 'probed'; readonly facts: MediaFacts } | { readonly probe: 'failed'; readonly reason: string };
  /** Terminal events a push was already recorded for (sent or failed for good). */
  readonly notifiedEventIds: readonly string[];
}

export type RecordedVideoEvent = RecordedEvent<VideoEvent['type'], VideoEvent['data']> & VideoEvent;

/**
 * Applies one recorded event. It does not judge the event: the deciders (`deciders/`) checked
 * it before the append, and the log is what happened.
 */
export function evolve(state: VideoState | undefined, event: RecordedVideoEvent): VideoState {
  if (event.type === 'UploadRequested') {
    const { videoId, userId, metaInfo, stagingRef } = event.data;
    return {
      videoId,
      userId,
      status: statusAfter(event.type, 'PENDING'),
      metaInfo,
      stagingRef,
      requestedAt: event.recordedAt,
      revision: event.revision,
      attempt: 0,
      bucket: null,
      objectKey: null,
      uploadedBytes: 0,
      uploadedPercentage: 0,
      uploadedAt: null,
      failure: null,
      media: { probe: 'unknown' },
      notifiedEventIds: [],
    };
  }
  // Only UploadRequested opens a stream; there is no video to apply anything else to.
  if (!state) throw new Error(`${event.type} at revision ${event.revision} of an empty stream`);
  const next = { ...state, status: statusAfter(event.type, state.status), revision: event.revision };
  switch (event.type) {
    case 'UploadRetryRequested':
      return { ...next, failure: null, uploadedBytes: 0, uploadedPercentage: 0 };
    case 'UploadStarted':
      return {
        ...next,
        attempt: event.data.attempt,
        bucket: event.data.bucket,
        objectKey: event.data.objectKey,
        uploadedBytes: 0,
        uploadedPercentage: 0,
      };
    case 'ProgressReported':
      return { ...next, uploadedBytes: event.data.uploadedBytes, uploadedPercentage: event.data.percentage };
    case 'UploadCompleted':
      return {
        ...next,
        bucket: event.data.bucket,
        objectKey: event.data.objectKey,
        uploadedBytes: event.data.sizeBytes,
        uploadedPercentage: 100,
        uploadedAt: event.recordedAt,
      };
    case 'UploadFailed':
      return { ...next, failure: { reason: event.data.reason, code: event.data.code, retryable: event.data.retryable } };
    case 'VideoDeleted':
      return next;
    case 'MediaProbed':
      return { ...next, media: { probe: 'probed', facts: event.data.facts } };
    case 'MediaProbeFailed':
      return { ...next, media: { probe: 'failed', reason: event.data.reason } };
    case 'NotificationSent':
    case 'NotificationFailed':
      return { ...next, notifiedEventIds: [...state.notifiedEventIds, event.data.forEventId] };
    default:
      return assertNever(event);
  }
}

/** The state after all of a stream's events, or undefined for an empty stream. */
export function foldVideo(events: Iterable<RecordedVideoEvent>): VideoState | undefined {
  let state: VideoState | undefined;
  for (const event of events) state = evolve(state, event);
  return state;
}
