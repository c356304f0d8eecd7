import { randomBytes } from 'node:crypto';
import { VideoId } from '@reelay/contracts';

const UUID_LENGTH = 36;

/**
 * The name a video's bytes are staged under: its id and a random suffix, so that two racing
 * requests with one Idempotency-Key never share a file. The sweeper relies on the id being the
 * prefix: it finds the stream that may refer to a staged file from the file's name alone.
 */
export function stagingNameFor(videoId: VideoId): string {
  return `${videoId}-${randomBytes(4).toString('hex')}`;
}

/** The video a staged file was written for, or undefined when its name is not one we give. */
export function videoIdOfStagingName(name: string): VideoId | undefined {
  if (name.length <= UUID_LENGTH || name[UUID_LENGTH] !== '-') return undefined;
  const parsed = VideoId.safeParse(name.slice(0, UUID_LENGTH));
  return parsed.success ? parsed.data : undefined;
}
