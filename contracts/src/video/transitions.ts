import type { VideoStatus } from '../status';
import type { VideoEventType } from '../events/videoEvents';

/**
 * The status state machine: the status a video has after an event of `type` when it had
 * `current` (undefined: the stream is empty). `null` means the event is not allowed there.
 * Events that change no status (progress, notifications) keep the current one where allowed.
 */
export function nextStatus(current: VideoStatus | undefined, type: VideoEventType): VideoStatus | null {
  switch (type) {
    case 'UploadRequested':
      return current === undefined ? 'PENDING' : null;
    case 'UploadRetryRequested':
      return current === 'FAILED' ? 'PENDING' : null;
    case 'UploadStarted':
      // LOADING → LOADING is a new attempt after a crash or a retryable error.
      return current === 'PENDING' || current === 'LOADING' ? 'LOADING' : null;
    case 'ProgressReported':
      return current === 'LOADING' ? 'LOADING' : null;
    case 'UploadCompleted':
      return current === 'LOADING' ? 'UPLOADED' : null;
    case 'UploadFailed':
      return current === 'PENDING' || current === 'LOADING' ? 'FAILED' : null;
    case 'VideoDeleted':
      return current !== undefined && current !== 'DELETED' ? 'DELETED' : null;
    case 'MediaProbed':
    case 'MediaProbeFailed':
      // Facts of the stored bytes: only a stored video has them, and they change no status.
      return current === 'UPLOADED' ? 'UPLOADED' : null;
    case 'NotificationSent':
    case 'NotificationFailed':
      // A push for an earlier failure may be recorded after a retry has begun: any status.
      return current ?? null;
    default:
      return assertNever(type);
  }
}

export function assertNever(value: never): never {
  throw new Error(`unexpected value: ${JSON.stringify(value)}`);
}
