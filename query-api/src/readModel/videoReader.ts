import type { Knex } from 'knex';
import { VIDEO_INFO_COLUMNS, type VideoInfoRecord } from '@reelay/projector';
import type { VideoRecordCache } from './videoRecordCache';

// The hottest query of the system (every poll of every phone): written once, not rebuilt by the
// query builder on each request. By id alone, so that one cached row serves its owner's polls.
const FIND_VIDEO = `select ${VIDEO_INFO_COLUMNS.join(', ')} from video_info where video_id = ?`;

export interface VideoReaderDependencies {
  readonly knex: Knex;
  readonly cache: VideoRecordCache;
  /** Asks the change listener to (re)connect; the cache serves only while it listens. */
  readonly keepListening: () => void;
}

/** Reads one row of the read model by id, from the cache when it can. */
export type VideoReader = (videoId: string) => Promise<VideoInfoRecord | undefined>;

export function createVideoReader({ knex, cache, keepListening }: VideoReaderDependencies): VideoReader {
  return async (videoId) => {
    const cached = cache.get(videoId);
    if (cached) return cached;
    keepListening();
    const stamp = cache.stamp();
    const result = await knex.raw<{ rows: VideoInfoRecord[] }>(FIND_VIDEO, [videoId]);
    const record = result.rows[0];
    if (record) cache.remember(videoId, record, stamp);
    return record;
  };
}
