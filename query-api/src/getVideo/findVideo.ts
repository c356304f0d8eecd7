import type { Knex } from 'knex';
import { VIDEO_RECORD_COLUMNS, type VideoRecord } from '../readModel/videoRecord';

// The hottest query of the system (every poll of every phone): written once, not rebuilt by the
// query builder on each request.
const FIND_VIDEO_OF_USER = `select ${VIDEO_RECORD_COLUMNS.join(', ')} from video_info where video_id = ? and user_id = ?`;

/**
 * The video if it belongs to `userId`. Another user's video and a missing one look the same:
 * undefined, so the API can answer 404 for both and never reveal that a video exists.
 */
export async function findVideoOfUser(knex: Knex, videoId: string, userId: string): Promise<VideoRecord | undefined> {
  const result = await knex.raw<{ rows: VideoRecord[] }>(FIND_VIDEO_OF_USER, [videoId, userId]);
  return result.rows[0];
}
