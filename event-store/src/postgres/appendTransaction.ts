import type pg from 'pg';
import { schemaVersionToWrite, type NewEvent } from '@reelay/contracts';
import { DuplicateEventId, WrongExpectedVersion, type AppendResult, type ExpectedRevision } from '../eventStore';

/**
 * Seams inside an append's transaction, for the torture test (a delay before commit widens the
 * window in which a later append can commit first) and the benchmark (a global lock taken first
 * turns this store into the "serialised appends" design it is measured against). Production
 * passes none, and its appends are then one statement in one round trip.
 */
export interface AppendTransactionHooks {
  /** Right after `begin`, before anything is read or locked. */
  afterBegin?(client: pg.PoolClient): Promise<void>;
  /** After the rows are written and the stream's revision moved, just before `commit`. */
  beforeCommit?(client: pg.PoolClient): Promise<void>;
}

const WRONG_EXPECTED_VERSION = 'RE001';
const DUPLICATE_EVENT_ID = 'RE002';

/**
 * One append in one transaction, done by the `reelay_append` function (schema.ts): it locks the
 * stream, checks the expected revision under the lock, writes the events, and answers a repeat
 * of an earlier append with that append's result. Writers of one stream are serialised; writers
 * of different streams run in parallel (which is why global readers must mind the snapshot's
 * xmin). Its errors come back as SQLSTATEs of our own and leave here as the port's typed errors.
 */
export async function appendInTransaction(
  pool: pg.Pool,
  streamName: string,
  events: readonly NewEvent[],
  expected: ExpectedRevision,
  hooks: AppendTransactionHooks,
): Promise<AppendResult> {
  const call = {
    text: 'select out_revision, out_transaction_id, out_position from reelay_append($1, $2, $3::uuid[], $4::text[], $5::int[], $6::jsonb[], $7::jsonb[])',
    values: [
      streamName,
      String(expected),
      events.map((e) => e.id),
      events.map((e) => e.type),
      events.map(schemaVersionToWrite),
      events.map((e) => JSON.stringify(e.data)),
      events.map((e) => JSON.stringify(e.metadata)),
    ],
  };
  try {
    const result = hooks.afterBegin || hooks.beforeCommit ? await withHooks(pool, call, hooks) : await pool.query<AppendRow>(call);
    const row = result.rows[0];
    if (!row) throw new Error('reelay_append returned no row');
    return { nextExpectedRevision: Number(row.out_revision), position: { commit: String(row.out_transaction_id), prepare: String(row.out_position) } };
  } catch (error) {
    const { code, detail } = error as { code?: string; detail?: string };
    if (code === WRONG_EXPECTED_VERSION) {
      const actual = Number(detail);
      throw new WrongExpectedVersion(streamName, expected, actual < 0 ? 'no_stream' : actual);
    }
    if (code === DUPLICATE_EVENT_ID) throw new DuplicateEventId(`event ids ${events.map((e) => e.id).join(', ')} were appended before with other content`);
    throw error;
  }
}

interface AppendRow {
  out_revision: number | string;
  out_transaction_id: string;
  out_position: number | string;
}

/** The same call inside an explicit transaction, with the hooks around it. */
async function withHooks(pool: pg.Pool, call: pg.QueryConfig, hooks: AppendTransactionHooks): Promise<pg.QueryResult<AppendRow>> {
  const client = await pool.connect();
  try {
    await client.query('begin');
    await hooks.afterBegin?.(client);
    const result = await client.query<AppendRow>(call);
    await hooks.beforeCommit?.(client);
    await client.query('commit');
    return result;
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
