import { z } from 'zod';

/** A video's id: a UUID chosen by the command API when the upload is accepted. */
export const VideoId = z.uuid().brand<'VideoId'>();
export type VideoId = z.infer<typeof VideoId>;

/**
 * A user's id: the `sub` of the caller's token. Identity providers use many shapes
 * (`auth0|123`, emails, UUIDs), so only length and control characters are restricted.
 */
export const UserId = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[^\p{Cc}]+$/u, 'must not contain control characters')
  .brand<'UserId'>();
export type UserId = z.infer<typeof UserId>;

/** The event stream that holds everything that happens to one video. */
export function videoStreamName(videoId: VideoId | string): string {
  return `video-${videoId}`;
}

/** The video id of a `video-<id>` stream, or undefined for any other stream. */
export function videoIdOfStream(streamName: string): VideoId | undefined {
  if (!streamName.startsWith('video-')) return undefined;
  const parsed = VideoId.safeParse(streamName.slice('video-'.length));
  return parsed.success ? parsed.data : undefined;
}
