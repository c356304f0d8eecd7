import { randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import type { PersonalDataVault } from '@reelay/platform';
import { loadCheckpoint, type EventStore } from '@reelay/event-store';
import type { Position } from '@reelay/contracts';
import { readProjectionVersions, versionTable } from '../readModel/projectionVersions';
import { VIDEO_INFO_PROJECTION } from '../videoInfo/videoInfo';
import { replayInto, replayWithin, type ReplayProgress } from './replayInto';

/** One column of one row where the live read model and a replay of the log disagree. */
export interface ReadModelDifference {
  readonly videoId: string;
  /** A column name, or `(row)` when the row is missing on one side (values `missing`/`present`). */
  readonly column: string;
  /** The value as JSON (timestamps as ISO strings). */
  readonly live: unknown;
  readonly replayed: unknown;
}

export interface VerifyResult {
  /** The position both sides were compared at: the live checkpoint, frozen for the comparison. */
  readonly position: Position;
  readonly rowsCompared: number;
  readonly eventsReplayed: number;
  /** Replay rate into the shadow copy (events/s), the comparison's catch-up included. */
  readonly eventsPerSecond: number;
  readonly differences: readonly ReadModelDifference[];
}

export interface VerifyOptions {
  readonly knex: Knex;
  readonly store: Pick<EventStore, 'readAll' | 'readStream'>;
  readonly pageSize?: number;
  /** Opens sealed personal fields before they are folded (see openPersonalData). */
  readonly personalData?: PersonalDataVault;
  readonly onProgress?: (progress: ReplayProgress) => void;
  /** Differences reported at most (the count of rows compared is always exact). */
  readonly maxDifferences?: number;
}

/**
 * Proves the live read model equals a replay of the log. The log is replayed, with the same fold
 * the projector uses, into a shadow table of this run's own (unlogged, dropped at the end) up to
 * the live checkpoint as it was at the start. The comparison then runs in one REPEATABLE READ
 * snapshot: the projector commits rows and checkpoint together, so the snapshot's checkpoint
 * describes exactly the snapshot's rows, and the projector never waits for the comparison. The
 * shadow is caught up to that checkpoint, and every row is compared column by column
 * (`updated_at`, the time of the write, aside). The snapshot share-locks the versions row, so a
 * rebuild cannot switch or drop the version being compared; if one switched just before, the
 * comparison starts again on the new version.
 */
export async function verifyVideoInfo(options: VerifyOptions): Promise<VerifyResult> {
  const { knex, store } = options;
  const suffix = randomBytes(5).toString('hex');
  const shadow = `video_info_verify_${suffix}`;
  const checkpoint = `${VIDEO_INFO_PROJECTION}@verify-${suffix}`;
  const { activeVersion } = await readProjectionVersions(knex, VIDEO_INFO_PROJECTION);
  await knex.raw('create unlogged table ?? (like ?? including all)', [shadow, versionTable(VIDEO_INFO_PROJECTION, activeVersion)]);
  try {
    const started = performance.now();
    const fixed = await loadCheckpoint(knex, VIDEO_INFO_PROJECTION);
    const replayed = await replayInto({ knex, store, table: shadow, checkpoint, until: fixed, pageSize: options.pageSize, onProgress: options.onProgress, personalData: options.personalData });
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await knex.transaction(
          async (trx) => {
            // The first statement takes the snapshot; the lock keeps rebuilds off this version.
            const versions = await trx.raw<{ rows: { active_version: number }[] }>(
              'select active_version from projection_versions where name = ? for share',
              [VIDEO_INFO_PROJECTION],
            );
            const live = versionTable(VIDEO_INFO_PROJECTION, Number(versions.rows[0]?.active_version));
            const position = await loadCheckpoint(trx, VIDEO_INFO_PROJECTION);
            const caught = await replayWithin(trx, store, shadow, replayed.position, position, options.pageSize, options.personalData);
            const seconds = (performance.now() - started) / 1000;
            const events = replayed.events + caught.events;
            const differences = await compare(trx, live, shadow, options.maxDifferences ?? 1000);
            const counted = await trx.raw<{ rows: { rows: number }[] }>(
              'select count(*)::int as rows from (select video_id from ?? union select video_id from ??) as ids',
              [live, shadow],
            );
            return { position, rowsCompared: counted.rows[0]?.rows ?? 0, eventsReplayed: events, eventsPerSecond: seconds > 0 ? events / seconds : 0, differences };
          },
          { isolationLevel: 'repeatable read' },
        );
      } catch (error) {
        // A rebuild changed the versions row after the snapshot was taken: compare again.
        if ((error as { code?: string }).code !== SERIALIZATION_FAILURE || attempt >= 5) throw error;
      }
    }
  } finally {
    await knex.raw('drop table if exists ??', [shadow]).catch(() => undefined);
    await knex('subscription_checkpoints').where({ name: checkpoint }).delete().catch(() => undefined);
  }
}

const SERIALIZATION_FAILURE = '40001';

/** Every differing column of every row, live (the active version's table) against the shadow replay. */
async function compare(trx: Knex.Transaction, live: string, shadow: string, limit: number): Promise<ReadModelDifference[]> {
  const result = await trx.raw<{ rows: { video_id: string; column_name: string; live: unknown; replayed: unknown }[] }>(
    `with pairs as (
       select coalesce(l.video_id, s.video_id) as video_id,
              to_jsonb(l) - 'updated_at' as live, to_jsonb(s) - 'updated_at' as replayed
         from ?? as l full join ?? as s on l.video_id = s.video_id)
     select video_id, '(row)' as column_name,
            to_jsonb(case when live is null then 'missing' else 'present' end) as live,
            to_jsonb(case when replayed is null then 'missing' else 'present' end) as replayed
       from pairs where live is null or replayed is null
     union all
     select video_id, key as column_name, live -> key as live, replayed -> key as replayed
       from pairs cross join lateral jsonb_object_keys(live) as key
      where live is not null and replayed is not null and live is distinct from replayed
        and (live -> key) is distinct from (replayed -> key)
     order by video_id, column_name
     limit ?`,
    [live, shadow, limit],
  );
  return result.rows.map((row) => ({ videoId: row.video_id, column: row.column_name, live: row.live, replayed: row.replayed }));
}
