import { assertNever, statusAfter, type RecordedVideoEvent } from '@reelay/contracts';
import type { VideoInfo } from './videoInfo';

/**
 * Folds one event of a video's stream into its read-model row. Pure and idempotent by revision:
 * an event whose revision is not exactly `lastRevision + 1` (one already applied, or one that
 * arrives ahead of a missing predecessor) returns the row unchanged — the same object — so a
 * replay or a batch delivered twice changes nothing, and callers detect a change by identity.
 *
 * The fold does not re-check which event may follow which status: the write side's deciders did
 * before the append, and the read model mirrors the log. The status an event leaves is
 * `statusAfter`, the same one the write side's fold applies.
 */
export function applyToVideoInfo(row: VideoInfo | undefined, event: RecordedVideoEvent): VideoInfo | undefined {
  const expectedRevision = (row?.lastRevision ?? -1) + 1;
  if (event.revision !== expectedRevision) return row;

  if (event.type === 'UploadRequested') {
    // expectedRevision 0 means there is no row yet: this is the stream's first event.
    return {
      videoId: event.data.videoId,
      userId: event.data.userId,
      status: statusAfter(event.type, 'PENDING'),
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

  const next: VideoInfo = { ...row, status: statusAfter(event.type, row.status), lastRevision: event.revision };
  switch (event.type) {
    case 'UploadStarted':
      return { ...next, uploadedPercentage: 0, failureReason: null };
    case 'ProgressReported':
      return { ...next, uploadedPercentage: event.data.percentage };
    case 'UploadCompleted':
      return { ...next, uploadedPercentage: 100, uploadedAt: event.recordedAt, failureReason: null };
    case 'UploadFailed':
      return { ...next, failureReason: event.data.reason };
    case 'UploadRetryRequested':
      return { ...next, uploadedPercentage: 0, failureReason: null };
    case 'MediaProbed':
      return { ...next, metaInfo: { ...row.metaInfo, media: event.data.facts, mediaProbe: 'probed' } };
    case 'MediaProbeFailed':
      return { ...next, metaInfo: { ...row.metaInfo, media: null, mediaProbe: 'failed' } };
    case 'VideoDeleted':
    case 'NotificationSent':
    case 'NotificationFailed':
      return next;
    default:
      return assertNever(event);
  }
}
