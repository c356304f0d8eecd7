import { z } from 'zod';
import { VideoId } from '../ids';
import { VideoStatus } from '../status';

// Characters that could turn a name into a path or break a header or a log line.
const SAFE_TEXT = /^[^\p{Cc}/\\]*$/u;

/** Query string of `POST /v1/videos`. */
export const UploadVideoQuery = z.object({
  title: z.string().trim().min(1).max(200).regex(/^[^\p{Cc}]*$/u, 'must not contain control characters'),
  fileName: z
    .string()
    .min(1)
    .max(255)
    .regex(SAFE_TEXT, 'must not contain control characters or path separators')
    .refine((name) => name !== '.' && name !== '..', 'must be a file name'),
});
export type UploadVideoQuery = z.infer<typeof UploadVideoQuery>;

export const VideoParams = z.object({ videoId: VideoId });
export type VideoParams = z.infer<typeof VideoParams>;

export const UploadAccepted = z.object({ videoId: VideoId, status: z.literal('PENDING') });
export type UploadAccepted = z.infer<typeof UploadAccepted>;

export const DeleteAccepted = z.object({ videoId: VideoId, status: z.literal('DELETED') });
export type DeleteAccepted = z.infer<typeof DeleteAccepted>;

export const RetryAccepted = z.object({ videoId: VideoId, status: z.literal('PENDING') });
export type RetryAccepted = z.infer<typeof RetryAccepted>;

/**
 * The header (on `POST /v1/videos`) and the tus `Upload-Metadata` key (on `POST /v1/uploads`)
 * that carry the hex SHA-256 of the whole file. With it, content the user already has is not
 * sent again, and bytes that hash otherwise fail the upload.
 */
export const CONTENT_SHA256_HEADER = 'Reelay-Content-SHA256';
export const CONTENT_SHA256_METADATA_KEY = 'sha256';
/** On a 200 answer to an upload's creation: `video` (the user has this content) or `upload` (resume it). */
export const DUPLICATE_HEADER = 'Reelay-Duplicate';

export const ContentSha256 = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lower-case hex digits (the SHA-256 of the whole file)');

/**
 * The answer to an upload whose content the user already has: the existing video (nothing more
 * to send), or the unfinished tus upload of it (resume at `uploadOffset`, from any device).
 */
export const DuplicateFound = z.object({
  duplicate: z.enum(['video', 'upload']),
  videoId: VideoId,
  status: VideoStatus,
  /** The tus upload to resume (`upload` only): send the rest with PATCH from `uploadOffset`. */
  uploadUrl: z.string().nullable(),
  uploadOffset: z.number().int().min(0).nullable(),
});
export type DuplicateFound = z.infer<typeof DuplicateFound>;
