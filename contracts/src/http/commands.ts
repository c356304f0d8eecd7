import { z } from 'zod';
import { VideoId } from '../ids';

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
