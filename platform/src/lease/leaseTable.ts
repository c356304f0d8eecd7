import type { Knex } from 'knex';
import { migrateTakingTurns } from '../postgres/migrateTakingTurns';

/**
 * Leases: which process may do a job that must have one doer at a time (a projection's writes),
 * as rows rather than session advisory locks. A session lock belongs to a connection, and behind
 * a transaction-pooling proxy (PgBouncer, RDS Proxy) a connection is nobody's for long; a row with
 * an expiry and a token means the same through any pooler. Times are the database's clock, so
 * hosts whose clocks disagree still agree on who holds a lease.
 */

/** The lease `name` is no longer held by this holder: it expired, or another holder took it. */
export class LeaseLost extends Error {
  override readonly name = 'LeaseLost';
}

/** A lease this process holds. `token` grows with every change of holder: a fencing token. */
export interface LeaseClaim {
  readonly name: string;
  readonly holder: string;
  readonly token: number;
}

/** Creates the table when missing; several processes may run it at once. */
export async function migrateLeases(knex: Knex): Promise<void> {
  await migrateTakingTurns(knex, 'reelay.leases.schema', (trx) =>
    trx.raw(`
      create table if not exists leases (
        name text primary key,
        holder text not null,
        token bigint not null,
        acquired_at timestamptz not null,
        expires_at timestamptz not null
      )`),
  );
}

/** Takes the lease if nobody holds it or its holder let it expire; undefined when it is held. */
export async function tryAcquireLease(knex: Knex, name: string, holder: string, ttlMs: number): Promise<LeaseClaim | undefined> {
  const result = await knex.raw<{ rows: { token: string | number }[] }>(
    `insert into leases (name, holder, token, acquired_at, expires_at)
     values (?, ?, 1, clock_timestamp(), clock_timestamp() + make_interval(secs => ?))
     on conflict (name) do update
       set holder = excluded.holder, token = leases.token + 1, acquired_at = excluded.acquired_at, expires_at = excluded.expires_at
       where leases.expires_at <= clock_timestamp()
     returning token`,
    [name, holder, ttlMs / 1000],
  );
  const row = result.rows[0];
  return row ? { name, holder, token: Number(row.token) } : undefined;
}

/** Extends a lease still held; false when it has expired or changed hands (then it is lost). */
export async function renewLease(knex: Knex, claim: LeaseClaim, ttlMs: number): Promise<boolean> {
  const result = await knex.raw<{ rowCount: number }>(
    `update leases set expires_at = clock_timestamp() + make_interval(secs => ?)
      where name = ? and holder = ? and token = ? and expires_at > clock_timestamp()`,
    [ttlMs / 1000, claim.name, claim.holder, claim.token],
  );
  return result.rowCount === 1;
}

/** Lets the lease go at once (a clean stop), so a standby need not wait for it to expire. */
export async function releaseLease(knex: Knex, claim: LeaseClaim): Promise<void> {
  await knex.raw(`update leases set expires_at = clock_timestamp() where name = ? and holder = ? and token = ?`, [claim.name, claim.holder, claim.token]);
}

/**
 * The fence: inside `trx`, checks that `claim` is still valid and keeps it so until `trx` ends.
 * The row is share-locked, so a standby's takeover waits for this transaction to commit; a holder
 * that lost its lease (paused, partitioned) throws LeaseLost instead of writing.
 */
export async function assertLeaseHeld(trx: Knex.Transaction, claim: LeaseClaim): Promise<void> {
  const result = await trx.raw<{ rowCount: number }>(
    `select 1 from leases where name = ? and holder = ? and token = ? and expires_at > clock_timestamp() for share`,
    [claim.name, claim.holder, claim.token],
  );
  if (result.rowCount !== 1) throw new LeaseLost(`lease ${claim.name} is no longer held by ${claim.holder}`);
}

/** Who holds lease `name` and until when, as the database sees it now; undefined if never taken. */
export async function readLease(knex: Knex, name: string): Promise<{ holder: string; token: number; expiresAt: string; held: boolean } | undefined> {
  const result = await knex.raw<{ rows: { holder: string; token: string | number; expires_at: Date; held: boolean }[] }>(
    `select holder, token, expires_at, expires_at > clock_timestamp() as held from leases where name = ?`,
    [name],
  );
  const row = result.rows[0];
  return row ? { holder: row.holder, token: Number(row.token), expiresAt: row.expires_at.toISOString(), held: row.held } : undefined;
}
