import { z } from 'zod';
import { VideoId } from '../ids';
import { VideoStatus } from '../status';

export const VideoMetaInfoView = z.object({
  title: z.string(),
  fileName: z.string(),
  contentType: z.string(),
  sizeBytes: z.number().int(),
  requestedAt: z.string(),
  uploadedAt: z.string().nullable(),
});

/** One `video_info` of the seed, as the query API returns it. */
export const VideoView = z.object({
  videoId: VideoId,
  userId: z.string(),
  status: VideoStatus,
  uploadedPercentage: z.number().int().min(0).max(100),
  metaInfo: VideoMetaInfoView,
  failureReason: z.string().nullable(),
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
