import type { Knex } from 'knex';
import { migrateTakingTurns } from '../postgres/migrateTakingTurns';

/**
 * The per-user data keys, in a Postgres table of their own beside the read model (never in the
 * event log, which is append-only and kept for ever). A key is stored wrapped with the KEK;
 * destroying it sets `wrapped_key` to null and stamps `destroyed_at`, keeping the row as a
 * tombstone, so a reader tells "erased" from "never heard of" (a wrong database, say).
 *
 * Locking, so that no reader writes plaintext after a forget: readers that turn personal data
 * into read-model rows take the keys `for share` inside their transaction (a ROW SHARE lock on
 * the table, whatever rows match); forgetting takes the table in EXCLUSIVE mode, which waits
 * for such readers to commit and holds new ones back until the forget has committed.
 */
export const PERSONAL_DATA_KEYS_TABLE = 'personal_data_keys';

const SCHEMA = `
create table if not exists personal_data_keys (
  key_id uuid primary key,
  user_id text not null,
  -- iv ‖ tag ‖ ciphertext of the data key under the KEK; null once destroyed
  wrapped_key bytea,
  -- which KEK wrapped it (a hash prefix); null for a tombstone that never held a key
  kek_id text,
  created_at timestamptz not null default now(),
  destroyed_at timestamptz,
  check ((wrapped_key is null) = (destroyed_at is not null))
);
create unique index if not exists personal_data_keys_one_live_key on personal_data_keys (user_id) where destroyed_at is null;
create index if not exists personal_data_keys_by_user on personal_data_keys (user_id);
`;

export interface KeyRow {
  readonly keyId: string;
  readonly userId: string;
  /** Null: destroyed (the user was forgotten). */
  readonly wrappedKey: Buffer | null;
  readonly kekId: string | null;
}

interface Record {
  key_id: string;
  user_id: string;
  wrapped_key: Buffer | null;
  kek_id: string | null;
}

const toRow = (record: Record): KeyRow => ({ keyId: record.key_id, userId: record.user_id, wrappedKey: record.wrapped_key, kekId: record.kek_id });

/** Creates the table when missing; safe from several processes at once. */
export async function migratePersonalDataKeys(knex: Knex): Promise<void> {
  await migrateTakingTurns(knex, 'reelay.personal_data_keys.schema', (trx) => trx.raw(SCHEMA));
}

/** Stores a new live key for the user unless another writer stored one first (then nothing). */
export async function insertLiveKey(db: Knex | Knex.Transaction, row: { keyId: string; userId: string; wrappedKey: Buffer; kekId: string }): Promise<void> {
  await db.raw(
    `insert into personal_data_keys (key_id, user_id, wrapped_key, kek_id) values (?, ?, ?, ?)
     on conflict (user_id) where destroyed_at is null do nothing`,
    [row.keyId, row.userId, row.wrappedKey, row.kekId],
  );
}

/**
 * The keys with these ids, and whether each of these users was ever forgotten (has a destroyed
 * key or tombstone). `lock`: take them `for share` (see the header), inside a transaction.
 */
export async function lookUpKeys(
  db: Knex | Knex.Transaction,
  keyIds: readonly string[],
  userIds: readonly string[],
  options: { lock: boolean },
): Promise<{ keys: Map<string, KeyRow>; forgottenUsers: Set<string> }> {
  const { rows } = await db.raw<{ rows: Record[] }>(
    `select key_id, user_id, wrapped_key, kek_id from personal_data_keys
      where key_id = any(?::uuid[]) or (user_id = any(?::text[]) and destroyed_at is not null)
      ${options.lock ? 'for share' : ''}`,
    [[...keyIds], [...userIds]],
  );
  const keys = new Map<string, KeyRow>();
  const forgottenUsers = new Set<string>();
  for (const record of rows) {
    keys.set(record.key_id, toRow(record));
    if (record.wrapped_key === null) forgottenUsers.add(record.user_id);
  }
  return { keys, forgottenUsers };
}

/**
 * Destroys every live key of the user, in the caller's transaction, after taking the table in
 * EXCLUSIVE mode (see the header). A user with no key at all gets a tombstone, so plaintext
 * written before sealing existed reads as erased too. Returns the ids destroyed now.
 */
export async function destroyKeysOf(trx: Knex.Transaction, userId: string, tombstoneId: string): Promise<{ destroyedKeyIds: string[]; hadKeys: boolean }> {
  await trx.raw('lock table personal_data_keys in exclusive mode');
  const { rows } = await trx.raw<{ rows: Array<{ key_id: string }> }>(
    `update personal_data_keys set wrapped_key = null, destroyed_at = now() where user_id = ? and destroyed_at is null returning key_id`,
    [userId],
  );
  const destroyedKeyIds = rows.map((row) => row.key_id);
  const [{ count }] = (await trx.raw<{ rows: Array<{ count: number }> }>('select count(*)::int as count from personal_data_keys where user_id = ?', [userId])).rows as [{ count: number }];
  if (count === 0) {
    await trx.raw(`insert into personal_data_keys (key_id, user_id, wrapped_key, kek_id, destroyed_at) values (?, ?, null, null, now())`, [tombstoneId, userId]);
    return { destroyedKeyIds, hadKeys: false };
  }
  return { destroyedKeyIds, hadKeys: true };
}

/**
 * Whether the user was forgotten: a destroyed key or a tombstone of theirs exists. A forget
 * writes that mark before it looks for the user's uploads, and nothing is accepted from the user
 * from then on (see lockKeysOf).
 */
export async function isForgotten(db: Knex | Knex.Transaction, userId: string): Promise<boolean> {
  return (await db(PERSONAL_DATA_KEYS_TABLE).where({ user_id: userId }).whereNotNull('destroyed_at').first('key_id')) !== undefined;
}

/**
 * Every key row of the user, taken `for share` in the caller's transaction: a forget (EXCLUSIVE
 * mode) waits until this transaction ends, and one that committed first shows here as a
 * destroyed row. What the transaction records is thus either recorded before the forget marked
 * the user, or refused.
 */
export async function lockKeysOf(trx: Knex.Transaction, userId: string): Promise<KeyRow[]> {
  const { rows } = await trx.raw<{ rows: Record[] }>(
    'select key_id, user_id, wrapped_key, kek_id from personal_data_keys where user_id = ? for share',
    [userId],
  );
  return rows.map(toRow);
}

/** Whether the user has, or ever had, a key (or tombstone). */
export async function userHasKeyRows(db: Knex, userId: string): Promise<boolean> {
  return (await db(PERSONAL_DATA_KEYS_TABLE).where({ user_id: userId }).first('key_id')) !== undefined;
}
