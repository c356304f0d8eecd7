import { describe, it, expect, beforeEach, afterEach } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { START, type NewEvent, type Position, type RecordedEvent } from '@reelay/contracts';
import { createKnex, createPool } from '@reelay/platform/postgres';
import { createTestEventStore, eventually, expectAgeSince } from '@reelay/testing';
import { DuplicateEventId } from '../eventStore';
import { NOTHING_HELD_BACK } from '../logDiagnostics';
import { postgresLogDiagnostics } from './postgresLogDiagnostics';

/**
 * What only the Postgres adapter has to show; the behaviour both adapters share is in the
 * contract suite (eventStoreContract.int.test.ts).
 */

type TestStore = Awaited<ReturnType<typeof createTestEventStore>>;

const metadata = { correlationId: 'c', causationId: 'c', userId: 'u' };
const event = (): NewEvent => ({ id: randomUUID(), type: 'VideoDeleted', data: { deletedBy: 'u' }, metadata });

/** A session of its own that has begun a write transaction (it holds a transaction id). */
async function openWriteTransaction(url: string, applicationName = 'blocker'): Promise<{ client: pg.Client; pid: number }> {
  const client = new pg.Client({ connectionString: url, application_name: applicationName });
  client.on('error', () => undefined);
  await client.connect();
  const { rows } = await client.query<{ pid: number }>('select pg_backend_pid() as pid');
  await client.query('begin');
  await client.query('select pg_current_xact_id()');
  return { client, pid: rows[0]?.pid as number };
}

describe('the Postgres event store', () => {
  let t: TestStore;
  beforeEach(async () => {
    t = await createTestEventStore({ safetyPollMs: 60_000 });
  });
  afterEach(async () => {
    await t.dispose();
  });

  it('refuses to update, delete or truncate the log', async () => {
    await t.store.appendToStream('s', [event()], { expectedRevision: 'no_stream' });
    await expect(t.pool.query(`update event_log set type = 'x'`)).rejects.toThrow(/append-only/);
    await expect(t.pool.query('delete from event_log')).rejects.toThrow(/append-only/);
    await expect(t.pool.query('truncate event_log')).rejects.toThrow(/append-only/);
  });

  it('refuses an append that repeats a known event id among new ones, and writes none of them', async () => {
    const known = event();
    await t.store.appendToStream('s', [known], { expectedRevision: 'no_stream' });
    await expect(t.store.appendToStream('s', [event(), known], { expectedRevision: 'any' })).rejects.toBeInstanceOf(DuplicateEventId);
    await expect(t.store.appendToStream('other', [known], { expectedRevision: 'any' })).rejects.toBeInstanceOf(DuplicateEventId);
    expect((await t.store.readStream('s')).map((e) => e.id)).toEqual([known.id]);
    expect(await t.store.readStream('other')).toEqual([]);
  });

  it('never lets a global reader skip an event whose transaction commits late', async () => {
    // A writer opens a transaction and inserts first, but commits after a second writer.
    const slow = new pg.Client({ connectionString: t.url });
    await slow.connect();
    await slow.query('begin');
    await slow.query(
      `insert into event_log (event_id, stream_name, revision, type, schema_version, data, metadata) values ($1, 'late', 0, 'VideoDeleted', 1, '{"deletedBy":"u"}', $2)`,
      [randomUUID(), JSON.stringify(metadata)],
    );
    await t.store.appendToStream('early', [event()], { expectedRevision: 'any' });

    const seen: RecordedEvent[] = [];
    let from: Position = START;
    const readMore = async () => {
      const batch = await t.store.readAll({ from, limit: 100 });
      seen.push(...batch);
      from = batch[batch.length - 1]?.position ?? from;
    };
    await readMore();
    // The committed event is held back while an older transaction is still open.
    expect(seen.map((e) => e.streamName)).toEqual([]);
    await slow.query('commit');
    await slow.end();
    await eventually(async () => {
      await readMore();
      expect(seen.map((e) => e.streamName)).toEqual(['late', 'early']);
    });
  });

  it('delivers an event held back by an unrelated open transaction as soon as that transaction ends', async () => {
    // Any write transaction on the cluster holds the global read back; its end notifies nobody.
    const blocker = await openWriteTransaction(t.url);
    const seen: string[] = [];
    const subscription = t.store.subscribeToAll({
      from: START,
      handle: async (events) => {
        seen.push(...events.map((e) => e.streamName));
      },
    });
    await t.store.appendToStream('held', [event()], { expectedRevision: 'any' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(seen).toEqual([]);

    await blocker.client.query('rollback');
    await blocker.client.end();
    // The safety poll is a minute: only the held-back retry can deliver it in time.
    await eventually(() => expect(seen).toEqual(['held']));
    await subscription.stop();
  });

  it('names the transaction holding the log back, with its pid and age, and counts what it holds', async () => {
    const diagnostics = postgresLogDiagnostics(t.pool);
    expect(await diagnostics.holdback()).toEqual(NOTHING_HELD_BACK);
    const began = Date.now();
    const blocker = await openWriteTransaction(t.url, 'forgotten-migration');
    await t.store.appendToStream('held', [event(), event()], { expectedRevision: 'any' });

    // Eventually: another test's short transaction may be the oldest for a moment.
    const holdback = await eventually(async () => {
      const found = await diagnostics.holdback();
      expect(found.holder?.pid).toBe(blocker.pid);
      return found;
    });
    expect(holdback).toMatchObject({ heldBackEvents: 2, holder: { applicationName: 'forgotten-migration', state: 'idle in transaction' } });
    expectAgeSince(holdback.holder?.ageSeconds, began);
    // Lag counts the held-back events too: a stuck transaction shows as growing lag.
    expect(await diagnostics.lag(START)).toMatchObject({ eventsBehind: 2 });
    expectAgeSince((await diagnostics.lag(START)).secondsBehind, began);

    await blocker.client.query('rollback');
    await blocker.client.end();
    await eventually(async () => expect(await diagnostics.holdback()).toEqual(NOTHING_HELD_BACK));
    const head = await t.store.headPosition();
    expect(await diagnostics.lag(head)).toEqual({ eventsBehind: 0, secondsBehind: 0 });
  });

  it('gives every session of ours an idle-in-transaction timeout, which ends a forgotten transaction and frees the log', async () => {
    const setting = 'show idle_in_transaction_session_timeout';
    expect((await t.pool.query(setting)).rows).toEqual([{ idle_in_transaction_session_timeout: '1min' }]);
    const knex = createKnex(t.url, { max: 1 });
    try {
      expect((await knex.raw(setting)).rows).toEqual([{ idle_in_transaction_session_timeout: '1min' }]);
    } finally {
      await knex.destroy();
    }

    // The same setting, shortened, on a pool whose user forgets to commit.
    const forgetful = createPool(t.url, { idleInTransactionTimeoutMs: 300, applicationName: 'forgetful' });
    const client = await forgetful.connect();
    client.on('error', () => undefined);
    try {
      await client.query('begin');
      await client.query('select pg_current_xact_id()');
      await t.store.appendToStream('freed', [event()], { expectedRevision: 'any' });
      await eventually(async () => expect(await t.store.readAll({ from: START, limit: 10 })).toHaveLength(1), 10_000);
      await expect(client.query('select 1')).rejects.toThrow();
    } finally {
      client.release(true);
      await forgetful.end();
    }
  });
});
