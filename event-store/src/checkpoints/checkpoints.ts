import type { Knex } from 'knex';
import { START, type Position } from '@reelay/contracts';
import { migrateTakingTurns } from '@reelay/platform/postgres';

/**
 * Where each subscriber (projector, notifier, job relay) has got to in the global log. A
 * subscriber advances its row in the same transaction as the effects of the batch, and only
 * from the position it read the batch from: a second copy that raced ahead makes the advance
 * fail (CheckpointMoved) instead of applying the batch twice.
 */
export class CheckpointMoved extends Error {
  override readonly name = 'CheckpointMoved';
}

/** Creates the table when missing; services starting together take turns. */
export async function migrateCheckpoints(knex: Knex): Promise<void> {
  await migrateTakingTurns(knex, 'reelay.checkpoints.schema', (trx) =>
    trx.raw(`
      create table if not exists subscription_checkpoints (
        name text primary key,
        commit_position xid8 not null,
        prepare_position bigint not null,
        updated_at timestamptz not null default now()
      )`),
  );
}

export async function loadCheckpoint(knex: Knex, name: string): Promise<Position> {
  const row = await knex('subscription_checkpoints').where({ name }).first('commit_position', 'prepare_position');
  return row ? { commit: String(row.commit_position), prepare: String(row.prepare_position) } : START;
}

/** Moves `name` from `from` to `to` inside `trx`; throws CheckpointMoved if it is not at `from`. */
export async function advanceCheckpoint(trx: Knex.Transaction, name: string, from: Position, to: Position): Promise<void> {
  await trx.raw('insert into subscription_checkpoints (name, commit_position, prepare_position) values (?, ?::xid8, ?) on conflict do nothing', [
    name,
    START.commit,
    START.prepare,
  ]);
  const updated = await trx.raw(
    `update subscription_checkpoints
        set commit_position = ?::xid8, prepare_position = ?, updated_at = now()
      where name = ? and commit_position = ?::xid8 and prepare_position = ?`,
    [to.commit, to.prepare, name, from.commit, from.prepare],
  );
  if (updated.rowCount !== 1) throw new CheckpointMoved(`checkpoint ${name} is no longer at ${from.commit}/${from.prepare}`);
}
