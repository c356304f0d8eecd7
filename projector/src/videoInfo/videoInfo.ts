import type { MetaInfo, VideoStatus } from '@reelay/contracts';

/** The name of the projection: its checkpoint row and its metrics label. */
export const VIDEO_INFO_PROJECTION = 'video_info';

/**
 * The Postgres channel the projector notifies with a video's id when its row changed; the
 * query API's long-poll listens on it. The payload is the video id, nothing else.
 */
export const VIDEO_INFO_CHANGED_CHANNEL = 'video_info_changed';

/** One row of the read model (`video_info`), as the fold sees it: plain data, ISO timestamps. */
export interface VideoInfo {
  readonly videoId: string;
  readonly userId: string;
  readonly status: VideoStatus;
  readonly uploadedPercentage: number;
  readonly metaInfo: MetaInfo;
  readonly requestedAt: string;
  readonly uploadedAt: string | null;
  readonly failureReason: string | null;
  /** The revision of the stream's last event folded in; the next one applied must be this + 1. */
  readonly lastRevision: number;
}
