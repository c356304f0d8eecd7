import type { VideoReader } from '../readModel/videoReader';
import type { VideoInfoRecord } from '@reelay/projector';

/**
 * The video if it belongs to `userId`. Another user's video and a missing one look the same:
 * undefined, so the API can answer 404 for both and never reveal that a video exists.
 */
export async function findVideoOfUser(read: VideoReader, videoId: string, userId: string): Promise<VideoInfoRecord | undefined> {
  const record = await read(videoId);
  return record?.user_id === userId ? record : undefined;
}
