import { z } from 'zod';
import { VideoId } from '../ids';
import { VideoStatus } from '../status';
import { MediaFacts } from '../events/videoEvents';

/** Where reading a video's container stands. */
export const MediaProbeState = z.enum(['pending', 'probed', 'failed']);
export type MediaProbeState = z.infer<typeof MediaProbeState>;

export const VideoMetaInfoView = z.object({
  title: z.string(),
  fileName: z.string(),
  contentType: z.string(),
  sizeBytes: z.number().int(),
  requestedAt: z.string(),
  uploadedAt: z.string().nullable(),
  /**
   * The container's facts once the stored video was read (shortly after UPLOADED); null before,
   * and when the container could not be read (`mediaProbe` says which).
   */
  media: MediaFacts.nullable(),
  /** `pending` until the stored video is read, then `probed` or `failed` (a container the parser cannot read). */
  mediaProbe: MediaProbeState,
});

/**
 * Where a video's bytes are: `receiving` (still arriving at the command API, by POST or tus),
 * `storing` (all received, being copied into object storage), `done` (stored), `stopped`
 * (failed or deleted).
 */
export const UploadPhase = z.enum(['receiving', 'storing', 'done', 'stopped']);
export type UploadPhase = z.infer<typeof UploadPhase>;

/** Both legs of an upload, so that a progress bar never sits at 100% while S3 is still filling. */
export const VideoProgress = z.object({
  phase: UploadPhase,
  /** Bytes the command API has received (all of them once `receiving` is over). */
  receivedBytes: z.number().int().min(0),
  /** Bytes in object storage (from the uploader's last report). */
  storedBytes: z.number().int().min(0),
  /** The video's size; null while a client sending without a length has not finished. */
  totalBytes: z.number().int().min(0).nullable(),
  /** How far the current phase is, 0–100; null while receiving a video of unknown size. */
  percentage: z.number().int().min(0).max(100).nullable(),
});
export type VideoProgress = z.infer<typeof VideoProgress>;

/** One `video_info` of the seed, as the query API returns it. */
export const VideoView = z.object({
  videoId: VideoId,
  userId: z.string(),
  status: VideoStatus,
  uploadedPercentage: z.number().int().min(0).max(100),
  metaInfo: VideoMetaInfoView,
  failureReason: z.string().nullable(),
  progress: VideoProgress,
});
export type VideoView = z.infer<typeof VideoView>;

export const MAX_WAIT_SECONDS = 30;

export const GetVideoQuery = z.object({
  /** Long-poll: hold the request until the video changes or this many seconds pass. */
  waitSeconds: z.coerce.number().int().min(0).max(MAX_WAIT_SECONDS).default(0),
});
export type GetVideoQuery = z.infer<typeof GetVideoQuery>;

export const MAX_PAGE_SIZE = 100;

export const ListVideosParams = z.object({ userId: z.string().min(1).max(255) });

export const ListVideosQuery = z.object({
  status: VideoStatus.optional(),
  limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(20),
  /** Opaque: the `nextCursor` of the previous page. */
  cursor: z.string().min(1).max(512).optional(),
});
export type ListVideosQuery = z.infer<typeof ListVideosQuery>;

export const VideoList = z.object({
  userId: z.string(),
  videos: z.array(VideoView),
  nextCursor: z.string().nullable(),
});
export type VideoList = z.infer<typeof VideoList>;
