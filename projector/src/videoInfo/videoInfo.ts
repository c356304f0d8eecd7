import { MediaFacts, MediaProbeState, MetaInfo, type VideoStatus } from '@reelay/contracts';

/**
 * `meta_info` as the read model keeps it: the upload's meta info and, once the stored video was
 * read, its media facts. Rows written before media facts existed read as `pending`.
 */
export const StoredMetaInfo = MetaInfo.extend({
  media: MediaFacts.nullable().default(null),
  mediaProbe: MediaProbeState.default('pending'),
});
export type StoredMetaInfo = ReturnType<typeof StoredMetaInfo.parse>;

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
  readonly metaInfo: StoredMetaInfo;
  readonly requestedAt: string;
  readonly uploadedAt: string | null;
  readonly failureReason: string | null;
  /** The revision of the stream's last event folded in; the next one applied must be this + 1. */
  readonly lastRevision: number;
}
