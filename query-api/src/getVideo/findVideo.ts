import type { Knex } from 'knex';
import { VIDEO_RECORD_COLUMNS, type VideoRecord } from '../readModel/videoRecord';

/**
 * The video if it belongs to `userId`. Another user's video and a missing one look the same:
 * undefined, so the API can answer 404 for both and never reveal that a video exists.
 */
export async function findVideoOfUser(knex: Knex, videoId: string, userId: string): Promise<VideoRecord | undefined> {
  return knex<VideoRecord>('video_info').where({ video_id: videoId, user_id: userId }).first(...VIDEO_RECORD_COLUMNS);
}
