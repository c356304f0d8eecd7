import type { Knex } from 'knex';
import { migrateCheckpoints } from '@reelay/event-store';
import { READ_MODEL_MIGRATIONS } from './migrations';

type Entry = (typeof READ_MODEL_MIGRATIONS)[number];

/** Hands knex the migrations compiled into this package instead of reading a folder at run time. */
const migrationSource: Knex.MigrationSource<Entry> = {
  getMigrations: async () => [...READ_MODEL_MIGRATIONS],
  getMigrationName: (entry) => entry.name,
  getMigration: async (entry) => entry.migration,
};

/** The projector's own history table, so other packages' knex migrations never clash with it. */
export const READ_MODEL_MIGRATIONS_TABLE = 'knex_migrations_projector';

/**
 * Brings the read model (`video_info`) and the checkpoint table up to date. Safe to call from
 * several projector copies at once: an advisory lock held by a transaction on one connection
 * makes them take turns (knex's own lock would make the loser fail instead of wait), while the
 * migrations run on other connections of the pool — so the pool needs at least two.
 */
export async function migrateReadModel(knex: Knex): Promise<void> {
  await knex.transaction(async (lock) => {
    await lock.raw(`select pg_advisory_xact_lock(hashtext('reelay.projector.migrations'))`);
    await knex.migrate.latest({ migrationSource: migrationSource as Knex.MigrationSource<unknown>, tableName: READ_MODEL_MIGRATIONS_TABLE });
    await migrateCheckpoints(knex);
  });
}
