import type { Knex } from 'knex';
import type { VideoStatus } from '@reelay/contracts';
import { VIDEO_INFO_COLUMNS, type VideoInfoRecord } from '@reelay/projector';
import type { PageKey } from './cursor';

export interface VideoPage {
  readonly records: readonly VideoInfoRecord[];
  /** Where the page ended, when more rows follow; undefined on the last page. */
  readonly next: PageKey | undefined;
}

/**
 * One page of a user's videos, newest first (requested_at desc, video_id desc), starting after
 * `after`. Keyset pagination: each page is one index range scan of `video_info_user_newest` (or
 * `…_status_newest`), however deep the page, and rows that arrive meanwhile shift nothing.
 */
export async function listVideosOfUser(
  knex: Knex,
  query: { userId: string; status?: VideoStatus; limit: number; after?: PageKey },
): Promise<VideoPage> {
  const builder = knex('video_info')
    .select(...VIDEO_INFO_COLUMNS)
    // The key for the cursor, as text at full (microsecond) precision.
    .select(knex.raw(`to_json(requested_at) #>> '{}' as requested_at_key`))
    .where('user_id', query.userId)
    .orderBy([
      { column: 'requested_at', order: 'desc' },
      { column: 'video_id', order: 'desc' },
    ])
    .limit(query.limit + 1);
  if (query.status) builder.where('status', query.status);
  if (query.after) builder.whereRaw('(requested_at, video_id) < (?::timestamptz, ?::uuid)', [query.after.requestedAt, query.after.videoId]);

  const rows: Array<VideoInfoRecord & { requested_at_key: string }> = await builder;
  const records = rows.slice(0, query.limit);
  const last = records[records.length - 1];
  const next = rows.length > query.limit && last ? { requestedAt: last.requested_at_key, videoId: last.video_id } : undefined;
  return { records, next };
}
