import type { Knex } from 'knex';
import { comparePositions, type Position } from '@reelay/contracts';
import { migrateLeases, type Logger, type PersonalDataVault } from '@reelay/platform';
import { loadCheckpoint, type EventStore } from '@reelay/event-store';
import { migrateReadModel } from '../readModel/migrateReadModel';
import { buildCheckpointName, readProjectionVersions, versionTable } from '../readModel/projectionVersions';
import { notifyVideoInfoChanged } from '../videoInfo/videoInfoTable';
import { VIDEO_INFO_PROJECTION } from '../videoInfo/videoInfo';
import { holdOperationLease, type HeldOperationLease } from './rebuildLease';
import { replayInto, replayWithin, type ReplayProgress } from './replayInto';

/** The projections `reelay projections rebuild` knows; each is a view over versioned tables. */
export const REBUILDABLE_PROJECTIONS = [VIDEO_INFO_PROJECTION] as const;

export type RebuildPhase = 'replaying' | 'switching' | 'dropping';

export interface RebuildOptions {
  readonly knex: Knex;
  readonly store: Pick<EventStore, 'readAll' | 'readStream'>;
  readonly logger?: Logger;
  readonly pageSize?: number;
  /** Opens sealed personal fields before they are folded (see openPersonalData). */
  readonly personalData?: PersonalDataVault;
  readonly onPhase?: (phase: RebuildPhase, version: number) => void;
  readonly onProgress?: (progress: ReplayProgress) => void;
  /** Test hook: runs after the replay, just before the switch (e.g. to append more events). */
  readonly beforeSwitch?: () => Promise<void>;
}

export interface RebuildResult {
  readonly name: string;
  readonly fromVersion: number;
  readonly toVersion: number;
  /** Events replayed into the new version, the switch's catch-up included. */
  readonly events: number;
  /** The checkpoint the projection continues from after the switch. */
  readonly position: Position;
  /**
   * Rows that differ between the old and the new version at the switch (and were notified): rows
   * the fold now computes differently, and rows of events the switch took ahead of the live
   * projector. 0 when the fold is unchanged and the log was quiet.
   */
  readonly changedRows: number;
  readonly durationMs: number;
}

const LEASE = `rebuild:${VIDEO_INFO_PROJECTION}`;

/**
 * Rebuilds `video_info` without downtime. Version N keeps serving (the view points at it, the
 * live projector writes into it) while version N+1 is replayed from the start of the log into
 * a table of its own, with a checkpoint of its own. Then one transaction switches: it locks the
 * live checkpoint row, which stops the live projector between two batches; catches N+1 up to
 * whatever the log holds; moves the live checkpoint to where N+1 ends; makes N+1 active; points
 * the view at it; and notifies the videos whose rows differ. Readers see N, then N+1, never
 * anything in between; the live projector's next batch reads the active version after that lock
 * and writes into N+1. Version N is dropped once the switch has committed.
 */
export async function rebuildVideoInfo(options: RebuildOptions): Promise<RebuildResult> {
  const { knex, store } = options;
  const started = performance.now();
  await migrateReadModel(knex);
  await migrateLeases(knex);
  const lease = await holdOperationLease(knex, LEASE);
  try {
    const { activeVersion } = await readProjectionVersions(knex, VIDEO_INFO_PROJECTION);
    const next = activeVersion + 1;
    const table = versionTable(VIDEO_INFO_PROJECTION, next);
    const checkpoint = buildCheckpointName(VIDEO_INFO_PROJECTION, next);
    await prepareVersion(knex, lease, activeVersion, next);

    options.onPhase?.('replaying', next);
    const replayed = await replayInto({ knex, store, table, checkpoint, pageSize: options.pageSize, fence: lease.fence, onProgress: options.onProgress, personalData: options.personalData });
    await options.beforeSwitch?.();

    options.onPhase?.('switching', next);
    const switched = await switchVersion(knex, store, lease, activeVersion, next, options.personalData);
    options.logger?.info({ projection: VIDEO_INFO_PROJECTION, version: next, position: switched.position }, 'switched to the rebuilt version');

    options.onPhase?.('dropping', activeVersion);
    await knex.raw('drop table if exists ??', [versionTable(VIDEO_INFO_PROJECTION, activeVersion)]);
    return {
      name: VIDEO_INFO_PROJECTION,
      fromVersion: activeVersion,
      toVersion: next,
      events: replayed.events + switched.events,
      position: switched.position,
      changedRows: switched.changedRows,
      durationMs: performance.now() - started,
    };
  } finally {
    await lease.release();
  }
}

/** An empty table for `next` shaped like the active one; what a dead rebuild left is dropped first. */
async function prepareVersion(knex: Knex, lease: HeldOperationLease, active: number, next: number): Promise<void> {
  await knex.transaction(async (trx) => {
    await lease.fence(trx);
    const table = versionTable(VIDEO_INFO_PROJECTION, next);
    await trx.raw('drop table if exists ??', [table]);
    await trx('subscription_checkpoints').where({ name: buildCheckpointName(VIDEO_INFO_PROJECTION, next) }).delete();
    // Columns, defaults, checks and indexes of the active version: whatever migrations made of it.
    await trx.raw('create table ?? (like ?? including all)', [table, versionTable(VIDEO_INFO_PROJECTION, active)]);
    await trx('projection_versions').where({ name: VIDEO_INFO_PROJECTION }).update({ building_version: next });
  });
}

/** Locks the live checkpoint (waiting out a batch in flight) and returns it. */
export async function lockLiveCheckpoint(trx: Knex.Transaction, mode: 'update' | 'share'): Promise<Position> {
  await trx.raw(`insert into subscription_checkpoints (name, commit_position, prepare_position) values (?, '0'::xid8, 0) on conflict do nothing`, [
    VIDEO_INFO_PROJECTION,
  ]);
  const result = await trx.raw<{ rows: { commit_position: string; prepare_position: number | string }[] }>(
    `select commit_position, prepare_position from subscription_checkpoints where name = ? for ${mode === 'update' ? 'update' : 'share'}`,
    [VIDEO_INFO_PROJECTION],
  );
  const row = result.rows[0];
  if (!row) throw new Error(`no checkpoint row for ${VIDEO_INFO_PROJECTION}`);
  return { commit: String(row.commit_position), prepare: String(row.prepare_position) };
}

async function switchVersion(
  knex: Knex,
  store: RebuildOptions['store'],
  lease: HeldOperationLease,
  active: number,
  next: number,
  personalData: PersonalDataVault | undefined,
): Promise<{ position: Position; events: number; changedRows: number }> {
  const oldTable = versionTable(VIDEO_INFO_PROJECTION, active);
  const newTable = versionTable(VIDEO_INFO_PROJECTION, next);
  const checkpoint = buildCheckpointName(VIDEO_INFO_PROJECTION, next);
  return knex.transaction(async (trx) => {
    await lease.fence(trx);
    const live = await lockLiveCheckpoint(trx, 'update');
    const versions = await readProjectionVersions(trx, VIDEO_INFO_PROJECTION);
    if (versions.activeVersion !== active) throw new Error(`version ${versions.activeVersion} became active during the rebuild of ${next}`);
    // Everything the live projector applied (up to `live`) is readable now; so is anything after.
    const caught = await replayWithin(trx, store, newTable, await loadCheckpoint(trx, checkpoint), undefined, undefined, personalData);
    const position = comparePositions(caught.position, live) >= 0 ? caught.position : live;
    const changed = await trx.raw<{ rows: { video_id: string }[] }>(
      `select coalesce(n.video_id, o.video_id) as video_id
         from ?? as n full join ?? as o on n.video_id = o.video_id
        where (to_jsonb(n) - 'updated_at') is distinct from (to_jsonb(o) - 'updated_at')`,
      [newTable, oldTable],
    );
    await trx('subscription_checkpoints')
      .where({ name: VIDEO_INFO_PROJECTION })
      .update({ commit_position: trx.raw('?::xid8', [position.commit]), prepare_position: position.prepare, updated_at: trx.fn.now() });
    await trx('subscription_checkpoints').where({ name: checkpoint }).delete();
    await trx('projection_versions')
      .where({ name: VIDEO_INFO_PROJECTION })
      .update({ active_version: next, building_version: null, switched_at: trx.fn.now() });
    // Last, so readers wait on the view only for the commit. CREATE OR REPLACE keeps the view's
    // identity: a query queued behind this lock reads the new version instead of failing.
    await trx.raw('create or replace view ?? as select * from ??', [VIDEO_INFO_PROJECTION, newTable]);
    const changedIds = changed.rows.map((row) => row.video_id);
    await notifyVideoInfoChanged(trx, changedIds);
    return { position, events: caught.events, changedRows: changedIds.length };
  });
}
