import type { Knex } from 'knex';
import { VideoStatus } from '@reelay/contracts';
import { StoredMetaInfo, VIDEO_INFO_CHANGED_CHANNEL, type VideoInfo } from './videoInfo';
import type { VideoInfoRecord } from './videoInfoRecord';

function fromRecord(record: VideoInfoRecord): VideoInfo {
  return {
    videoId: record.video_id,
    userId: record.user_id,
    status: VideoStatus.parse(record.status),
    uploadedPercentage: record.uploaded_percentage,
    metaInfo: StoredMetaInfo.parse(record.meta_info),
    requestedAt: record.requested_at.toISOString(),
    uploadedAt: record.uploaded_at?.toISOString() ?? null,
    failureReason: record.failure_reason,
    lastRevision: Number(record.last_revision),
  };
}

function toRecord(row: VideoInfo) {
  return {
    video_id: row.videoId,
    user_id: row.userId,
    status: row.status,
    uploaded_percentage: row.uploadedPercentage,
    meta_info: JSON.stringify(row.metaInfo),
    requested_at: row.requestedAt,
    uploaded_at: row.uploadedAt,
    failure_reason: row.failureReason,
    last_revision: row.lastRevision,
  };
}

/**
 * The rows of these videos in `table` (a version of `video_info`), locked until the transaction
 * ends; one query for the whole batch.
 */
export async function loadVideoInfoForUpdate(trx: Knex.Transaction, table: string, videoIds: readonly string[]): Promise<Map<string, VideoInfo>> {
  if (videoIds.length === 0) return new Map();
  const records: VideoInfoRecord[] = await trx(table).whereIn('video_id', videoIds).forUpdate().select('*');
  return new Map(records.map((record) => [record.video_id, fromRecord(record)]));
}

/**
 * Writes the rows in one statement. The `where` keeps a row from ever moving backwards, even if a
 * caller hands over a stale fold: the revision check of the fold, enforced once more by the table.
 */
export async function upsertVideoInfo(trx: Knex.Transaction, table: string, rows: readonly VideoInfo[]): Promise<void> {
  if (rows.length === 0) return;
  await trx(table)
    .insert(rows.map(toRecord))
    .onConflict('video_id')
    .merge(['user_id', 'status', 'uploaded_percentage', 'meta_info', 'requested_at', 'uploaded_at', 'failure_reason', 'last_revision', 'updated_at'])
    .where(`${table}.last_revision`, '<', trx.raw('excluded.last_revision'));
}

/** Tells listeners (the query API's long-polls) which videos changed; delivered on commit only. */
export async function notifyVideoInfoChanged(trx: Knex.Transaction, videoIds: readonly string[]): Promise<void> {
  if (videoIds.length === 0) return;
  await trx.raw('select pg_notify(?, id) from unnest(?::text[]) as id', [VIDEO_INFO_CHANGED_CHANNEL, [...videoIds]]);
}
