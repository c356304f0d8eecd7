import type { Knex } from 'knex';

/**
 * Runs `migrate` (`create … if not exists` statements) in a transaction that first takes the
 * advisory lock `lockName`, so that copies of services starting together take turns.
 * `if not exists` alone is not safe against a concurrent copy of itself: all but one can fail on
 * the catalog's unique index (23505) or with 42P07. Retrying on those errors settles a single
 * statement, but not a table and its index created by two; taking turns settles both.
 */
export async function migrateTakingTurns(knex: Knex, lockName: string, migrate: (trx: Knex.Transaction) => Promise<unknown>): Promise<void> {
  await knex.transaction(async (trx) => {
    await trx.raw('select pg_advisory_xact_lock(hashtext(?))', [lockName]);
    await migrate(trx);
  });
}
