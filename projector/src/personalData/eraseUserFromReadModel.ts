import type { Knex } from 'knex';
import { ERASED_TEXT, PERSONAL_META_INFO_FIELDS } from '@reelay/contracts';
import { VIDEO_INFO_CHANGED_CHANNEL } from '../videoInfo/videoInfo';

/**
 * The read side's tables that copy a user's `meta_info`: `video_info` and each version of it (the
 * one served, one a rebuild is filling), and the command API's `intake_progress` of videos still
 * arriving, where it exists.
 */
const TABLES_WITH_META_INFO = '^(video_info(_v[0-9]+)?|intake_progress)$';

/**
 * Scrubs a forgotten user's personal fields from every read-side table that holds them (see
 * TABLES_WITH_META_INFO). The fields become `[erased]`,
 * exactly what a replay opens them as once the user's key is destroyed, so the scrubbed rows
 * equal a replay's. Run it in the transaction that destroys the keys (see keyStore's locking).
 * Every changed video is announced, so caches and long-polls of the query API drop the old text.
 * Returns the ids of the videos scrubbed in `video_info` (a video only arriving is no video yet).
 */
export async function eraseUserFromReadModel(trx: Knex.Transaction, userId: string): Promise<string[]> {
  const { rows: tables } = await trx.raw<{ rows: Array<{ name: string }> }>(
    `select c.relname as name from pg_class c
      where c.relkind = 'r' and c.relnamespace = current_schema()::regnamespace and c.relname ~ ?`,
    [TABLES_WITH_META_INFO],
  );
  const erased = JSON.stringify(Object.fromEntries(PERSONAL_META_INFO_FIELDS.map((field) => [field, ERASED_TEXT])));
  const videoIds = new Set<string>();
  const changed = new Set<string>();
  for (const { name } of tables) {
    const { rows } = await trx.raw<{ rows: Array<{ video_id: string }> }>(
      `update ?? set meta_info = meta_info || ?::jsonb, updated_at = now() where user_id = ? returning video_id`,
      [name, erased, userId],
    );
    for (const row of rows) {
      changed.add(row.video_id);
      if (name !== 'intake_progress') videoIds.add(row.video_id);
    }
  }
  if (changed.size > 0) await trx.raw('select pg_notify(?, id) from unnest(?::text[]) as id', [VIDEO_INFO_CHANGED_CHANNEL, [...changed]]);
  return [...videoIds];
}
