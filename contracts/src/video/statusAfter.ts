import type { VideoStatus } from '../status';
import type { VideoEventType } from '../events/videoEvents';
import { assertNever } from '../assertNever';

/**
 * The status an event leaves a video in: what the event means, not whether it was allowed (the
 * deciders in `deciders/` are the only place that says which event may follow which status).
 * The write side's fold and the read model both apply it, so they cannot disagree.
 */
export function statusAfter(type: VideoEventType, current: VideoStatus): VideoStatus {
  switch (type) {
    case 'UploadRequested':
    case 'UploadRetryRequested':
      return 'PENDING';
    case 'UploadStarted':
      return 'LOADING';
    case 'UploadCompleted':
      return 'UPLOADED';
    case 'UploadFailed':
      return 'FAILED';
    case 'VideoDeleted':
      return 'DELETED';
    case 'ProgressReported':
    case 'MediaProbed':
    case 'MediaProbeFailed':
    case 'NotificationSent':
    case 'NotificationFailed':
      return current;
    default:
      return assertNever(type);
  }
}
