import { assertNever, type NotificationKind, type VideoStatus } from '@reelay/contracts';
import type { Push } from './pushSender';

/** The text a user reads, in English (the app has no locale preference yet). */
export interface PushMessage {
  readonly heading: string;
  readonly content: string;
  /** Sent as the push's data so the app can open the video and stop polling without parsing text. */
  readonly data: { readonly videoId: string; readonly status: VideoStatus };
}

/** The message for a push: pure, so every adapter shows the same words. */
export function pushMessage(push: Push): PushMessage {
  switch (push.kind) {
    case 'UPLOAD_COMPLETED':
      return {
        heading: 'Your video is ready',
        content: `"${push.title}" has been uploaded.`,
        data: { videoId: push.videoId, status: statusAnnounced(push.kind) },
      };
    case 'UPLOAD_FAILED':
      return {
        heading: 'Your video could not be uploaded',
        content: `"${push.title}" could not be uploaded. Open the app to try again.`,
        data: { videoId: push.videoId, status: statusAnnounced(push.kind) },
      };
    default:
      return assertNever(push.kind);
  }
}

/** The video status a push of this kind announces. */
export function statusAnnounced(kind: NotificationKind): VideoStatus {
  switch (kind) {
    case 'UPLOAD_COMPLETED':
      return 'UPLOADED';
    case 'UPLOAD_FAILED':
      return 'FAILED';
    default:
      return assertNever(kind);
  }
}
