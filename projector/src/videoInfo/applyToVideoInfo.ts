import { assertNever, type RecordedVideoEvent } from '@reelay/contracts';
import type { VideoInfo } from './videoInfo';

/**
 * Folds one event of a video's stream into its read-model row. Pure and idempotent by revision:
 * an event whose revision is not exactly `lastRevision + 1` (one already applied, or one that
 * arrives ahead of a missing predecessor) returns the row unchanged — the same object — so a
 * replay or a batch delivered twice changes nothing, and callers detect a change by identity.
 *
 * The fold does not re-check the status state machine: the write side checked it before the
 * append, and the read model's job is to mirror the log, not to judge it.
 */
export function applyToVideoInfo(row: VideoInfo | undefined, event: RecordedVideoEvent): VideoInfo | undefined {
  const expectedRevision = (row?.lastRevision ?? -1) + 1;
  if (event.revision !== expectedRevision) return row;

  if (event.type === 'UploadRequested') {
    // expectedRevision 0 means there is no row yet: this is the stream's first event.
    return {
      videoId: event.data.videoId,
      userId: event.data.userId,
      status: 'PENDING',
      uploadedPercentage: 0,
      metaInfo: { ...event.data.metaInfo, media: null, mediaProbe: 'pending' },
      requestedAt: event.recordedAt,
      uploadedAt: null,
      failureReason: null,
      lastRevision: event.revision,
    };
  }
  // Only UploadRequested can open a stream; anything else at revision 0 has nothing to update.
  if (!row) return row;

  const next: VideoInfo = { ...row, lastRevision: event.revision };
  switch (event.type) {
    case 'UploadStarted':
      return { ...next, status: 'LOADING', uploadedPercentage: 0, failureReason: null };
    case 'ProgressReported':
      return { ...next, uploadedPercentage: event.data.percentage };
    case 'UploadCompleted':
      return { ...next, status: 'UPLOADED', uploadedPercentage: 100, uploadedAt: event.recordedAt, failureReason: null };
    case 'UploadFailed':
      return { ...next, status: 'FAILED', failureReason: event.data.reason };
    case 'UploadRetryRequested':
      return { ...next, status: 'PENDING', uploadedPercentage: 0, failureReason: null };
    case 'VideoDeleted':
      return { ...next, status: 'DELETED' };
    case 'MediaProbed':
      return { ...next, metaInfo: { ...row.metaInfo, media: event.data.facts, mediaProbe: 'probed' } };
    case 'MediaProbeFailed':
      return { ...next, metaInfo: { ...row.metaInfo, media: null, mediaProbe: 'failed' } };
    case 'NotificationSent':
    case 'NotificationFailed':
      return next;
    default:
      return assertNever(event);
  }
}
