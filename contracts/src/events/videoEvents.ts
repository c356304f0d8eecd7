import { z } from 'zod';
import { UserId, VideoId } from '../ids';

/**
 * The events of one video's stream (`video-<videoId>`). Each `data` schema is the *current*
 * version; older stored versions are upcast on read (see `upcasting.ts`), never rewritten.
 */

export const MetaInfo = z.object({
  title: z.string(),
  fileName: z.string(),
  contentType: z.string(),
  sizeBytes: z.number().int().nonnegative(),
  /** Hex SHA-256 of the bytes as received, so any copy can be checked against the original. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});
export type MetaInfo = z.infer<typeof MetaInfo>;

/** Where the received bytes wait for the uploader: `file://…` or `s3://bucket/key`. */
export const StagingRef = z.string().min(1);

export const UploadRequested = z.object({
  type: z.literal('UploadRequested'),
  data: z.object({
    videoId: VideoId,
    userId: UserId,
    metaInfo: MetaInfo,
    stagingRef: StagingRef,
  }),
});

/** A user asked to try a `FAILED` upload again; the staged copy is still there. */
export const UploadRetryRequested = z.object({
  type: z.literal('UploadRetryRequested'),
  data: z.object({ requestedBy: UserId }),
});

export const UploadStarted = z.object({
  type: z.literal('UploadStarted'),
  data: z.object({
    attempt: z.number().int().positive(),
    bucket: z.string().min(1),
    objectKey: z.string().min(1),
  }),
});

export const ProgressReported = z.object({
  type: z.literal('ProgressReported'),
  data: z.object({
    attempt: z.number().int().positive(),
    uploadedBytes: z.number().int().nonnegative(),
    totalBytes: z.number().int().nonnegative(),
    percentage: z.number().int().min(0).max(100),
  }),
});

export const UploadCompleted = z.object({
  type: z.literal('UploadCompleted'),
  data: z.object({
    attempt: z.number().int().positive(),
    bucket: z.string().min(1),
    objectKey: z.string().min(1),
    /**
     * The stored object's ETag, never empty (v2): Ceph's gateway answers the first
     * CompleteMultipartUpload with an empty one, and an empty ETag looked like "not completed".
     */
    etag: z.string().min(1),
    sizeBytes: z.number().int().nonnegative(),
    durationMs: z.number().int().nonnegative(),
  }),
});

export const UploadFailed = z.object({
  type: z.literal('UploadFailed'),
  data: z.object({
    reason: z.string().min(1),
    code: z.string().min(1),
    attempt: z.number().int().nonnegative(),
    retryable: z.boolean(),
  }),
});

/**
 * What the container says about a video, read without decoding once its bytes are whole.
 * Fields a container does not carry are null (an audio-only file has no width).
 */
export const MediaFacts = z.object({
  /** `mp4`, `mov`, `webm`, `matroska`, or another lower-case container name. */
  container: z.string().min(1),
  durationMs: z.number().int().nonnegative().nullable(),
  /** Coded size of the picture, before rotation. */
  width: z.number().int().positive().nullable(),
  height: z.number().int().positive().nullable(),
  /** Degrees the picture must be turned clockwise to be shown upright: 0, 90, 180 or 270. */
  rotation: z.union([z.literal(0), z.literal(90), z.literal(180), z.literal(270)]),
  /** Frames per second (average), e.g. 25 or 29.97. */
  frameRate: z.number().positive().nullable(),
  /** ffmpeg's codec names: `h264`, `hevc`, `vp9`, `av1`…; null when there is no such track. */
  videoCodec: z.string().min(1).nullable(),
  audioCodec: z.string().min(1).nullable(),
});
export type MediaFacts = z.infer<typeof MediaFacts>;

/** The stored video's container was read: its facts. Changes no status. */
export const MediaProbed = z.object({
  type: z.literal('MediaProbed'),
  data: z.object({ facts: MediaFacts }),
});

/** The stored video's container could not be read (not a container the parser knows, or damaged). The upload stands. */
export const MediaProbeFailed = z.object({
  type: z.literal('MediaProbeFailed'),
  data: z.object({ reason: z.string().min(1) }),
});

export const VideoDeleted = z.object({
  type: z.literal('VideoDeleted'),
  data: z.object({ deletedBy: UserId }),
});

export const NotificationKind = z.enum(['UPLOAD_COMPLETED', 'UPLOAD_FAILED']);
export type NotificationKind = z.infer<typeof NotificationKind>;

export const NotificationSent = z.object({
  type: z.literal('NotificationSent'),
  data: z.object({
    provider: z.string().min(1),
    kind: NotificationKind,
    /** The terminal event this push announced: at most one push per such event. */
    forEventId: z.uuid(),
    providerId: z.string().nullable(),
  }),
});

/**
 * A push the provider refused for good. Version 2 added `providerStatus`: version 1 kept only the
 * message, so telling an invalid app id (400) from a user without a device took parsing prose.
 */
export const NotificationFailed = z.object({
  type: z.literal('NotificationFailed'),
  data: z.object({
    provider: z.string().min(1),
    kind: NotificationKind,
    forEventId: z.uuid(),
    error: z.string(),
    /** The provider's HTTP status when it answered with one; null when it gave none (or for v1 events). */
    providerStatus: z.number().int().min(100).max(599).nullable(),
  }),
});

export const VideoEvent = z.discriminatedUnion('type', [
  UploadRequested,
  UploadRetryRequested,
  UploadStarted,
  ProgressReported,
  UploadCompleted,
  UploadFailed,
  VideoDeleted,
  NotificationSent,
  NotificationFailed,
  MediaProbed,
  MediaProbeFailed,
]);
export type VideoEvent = z.infer<typeof VideoEvent>;
export type VideoEventType = VideoEvent['type'];
export type VideoEventOf<T extends VideoEventType> = Extract<VideoEvent, { type: T }>;

export const VIDEO_EVENT_TYPES = VideoEvent.options.map((o) => o.shape.type.value) as readonly VideoEventType[];
