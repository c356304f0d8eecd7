import { describe, it, expect, beforeEach, afterEach } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import type { NewEvent } from '@reelay/contracts';
import { createTestEventStore, eventually } from '@reelay/testing';
import { lastSeal, sealEventLog } from './logSealer';
import { verifyEventLog } from './logVerifier';

/**
 * The log is tamper-evident: someone with the database's owner rights who disables the
 * append-only triggers and edits, removes or inserts events is caught by `verifyEventLog`.
 */

type TestStore = Awaited<ReturnType<typeof createTestEventStore>>;

const metadata = { correlationId: 'c', causationId: 'c', userId: 'u' };
const event = (n: number): NewEvent => ({ id: randomUUID(), type: 'ProgressReported', data: { uploadedBytes: n, totalBytes: 100, percentage: n }, metadata });

/** Three streams: a of 3 events (appended 2 + 1), b of 2, c of 1. */
async function fillLog(t: TestStore): Promise<void> {
  await t.store.appendToStream('a', [event(1), event(2)], { expectedRevision: 'no_stream' });
  await t.store.appendToStream('b', [event(1)], { expectedRevision: 'no_stream' });
  await t.store.appendToStream('a', [event(3)], { expectedRevision: 1 });
  await t.store.appendToStream('c', [event(1)], { expectedRevision: 'no_stream' });
  await t.store.appendToStream('b', [event(2)], { expectedRevision: 0 });
}

/** Seals until the seal covers `count` events (other tests' open transactions may hold it back). */
async function sealAll(t: TestStore, count: number): Promise<void> {
  await eventually(async () => {
    await sealEventLog(t.pool);
    expect((await lastSeal(t.pool))?.eventCount).toBe(count);
  });
}

/** What an intruder does: SQL with the log's triggers off. */
async function tamper(t: TestStore, sql: string, values: unknown[] = []): Promise<void> {
  const client = await t.pool.connect();
  try {
    await client.query('begin');
    await client.query('alter table event_log disable trigger user');
    await client.query(sql, values);
    await client.query('alter table event_log enable trigger user');
    await client.query('commit');
  } finally {
    client.release();
  }
}

describe('the tamper-evident event log', () => {
  let t: TestStore;
  beforeEach(async () => {
    t = await createTestEventStore({ safetyPollMs: 60_000 });
    await fillLog(t);
  });
  afterEach(async () => {
    await t.dispose();
  });

  it('verifies an untouched log, counting events, streams and seals', async () => {
    await sealAll(t, 6);
    await t.store.appendToStream('c', [event(2)], { expectedRevision: 0 });
    const result = await verifyEventLog(t.pool, { pageSize: 2 });
    expect(result).toMatchObject({ events: 7, streams: 3, seals: 1, unsealedEvents: 1 });
    expect(result.problem).toBeUndefined();
  });

  it('catches an event whose data was edited in place', async () => {
    await tamper(t, `update event_log set data = jsonb_set(data, '{percentage}', '99') where stream_name = 'a' and revision = 1`);
    const { problem } = await verifyEventLog(t.pool);
    expect(problem).toMatchObject({ kind: 'content', streamName: 'a', revision: 1 });
    expect(problem?.position).toMatch(/^\d+\/\d+$/);
  });

  it('catches an edited event whose hash the intruder recomputed, at the next event of its stream', async () => {
    await tamper(
      t,
      `update event_log set data = '{"percentage": 0}', hash = reelay_event_hash(previous_hash, event_id, stream_name, revision, type, schema_version, '{"percentage": 0}', metadata, recorded_at)
        where stream_name = 'a' and revision = 0`,
    );
    expect((await verifyEventLog(t.pool)).problem).toMatchObject({ kind: 'previous-hash', streamName: 'a', revision: 1 });
  });

  it('catches an event removed from the middle of its stream', async () => {
    await tamper(t, `delete from event_log where stream_name = 'a' and revision = 1`);
    expect((await verifyEventLog(t.pool)).problem).toMatchObject({ kind: 'revision-gap', streamName: 'a', revision: 2 });
  });

  it("catches a stream's last event removed before the last seal", async () => {
    await sealAll(t, 6);
    await tamper(t, `delete from event_log where stream_name = 'b' and revision = 1`);
    const { problem } = await verifyEventLog(t.pool);
    expect(problem).toMatchObject({ kind: 'seal' });
    expect(problem?.detail).toContain('5 events where it sealed 6');
  });

  it('catches an event inserted with a correctly chained hash and a position before the last seal', async () => {
    await sealAll(t, 6);
    // A new last event of stream c, its hash chained as reelay_append would have, slipped in
    // among sealed positions: the stream chains verify, the seal does not.
    await tamper(
      t,
      `insert into event_log (position, transaction_id, event_id, stream_name, revision, type, schema_version, data, metadata, recorded_at, previous_hash, hash)
       overriding system value
       select p.position + 1000000, p.transaction_id, $1, 'c', 1, 'ProgressReported', 1, '{}', p.metadata, p.recorded_at, p.hash,
              reelay_event_hash(p.hash, $1, 'c', 1, 'ProgressReported', 1, '{}', p.metadata, p.recorded_at)
         from event_log p where p.stream_name = 'c' and p.revision = 0`,
      [randomUUID()],
    );
    const { problem } = await verifyEventLog(t.pool);
    expect(problem).toMatchObject({ kind: 'seal' });
    expect(problem?.detail).toContain('7 events where it sealed 6');
  });

  it('does not catch an event appended after the last seal with a correctly chained hash, and counts it as unsealed', async () => {
    await sealAll(t, 6);
    await tamper(
      t,
      `insert into event_log (event_id, stream_name, revision, type, schema_version, data, metadata, recorded_at, previous_hash, hash)
       select $1, 'c', 1, 'ProgressReported', 1, '{}', p.metadata, p.recorded_at, p.hash,
              reelay_event_hash(p.hash, $1, 'c', 1, 'ProgressReported', 1, '{}', p.metadata, p.recorded_at)
         from event_log p where p.stream_name = 'c' and p.revision = 0`,
      [randomUUID()],
    );
    const result = await verifyEventLog(t.pool);
    expect(result.problem).toBeUndefined();
    expect(result.unsealedEvents).toBe(1);
  });

  it('catches a stream rewritten with every hash recomputed, by the seal', async () => {
    await sealAll(t, 6);
    // Replace stream b's events with other data and recompute its whole chain, as an informed
    // intruder would: the chains verify, the seal does not.
    await tamper(
      t,
      `update event_log set data = '{"percentage": 7}', hash = reelay_event_hash(previous_hash, event_id, stream_name, revision, type, schema_version, '{"percentage": 7}', metadata, recorded_at)
        where stream_name = 'b' and revision = 1`,
    );
    const { problem } = await verifyEventLog(t.pool);
    expect(problem).toMatchObject({ kind: 'seal' });
    expect(problem?.detail).toContain('the same 6 events');
  });

  it('hashes what is stored, so it verifies an event appended with any JSON text', async () => {
    await t.store.appendToStream('d', [{ id: randomUUID(), type: 'VideoDeleted', data: { note: 'é\n"\\\u2028 😀', n: 1.5e300, z: null }, metadata }], {
      expectedRevision: 'no_stream',
    });
    expect((await verifyEventLog(t.pool)).problem).toBeUndefined();
  });

  it('backfills the hashes of a log written before they existed, which then verifies', async () => {
    // A log as the release before hashes left it: no hash columns, and no record of a schema version.
    await t.pool.query('alter table event_log drop column hash, drop column previous_hash');
    await t.pool.query('drop table event_store_schema');
    await t.store.migrate();
    const { rows } = await t.pool.query<{ missing: number }>('select count(*)::int as missing from event_log where hash is null');
    expect(rows[0]?.missing).toBe(0);
    const result = await verifyEventLog(t.pool);
    expect(result).toMatchObject({ events: 6, streams: 3 });
    expect(result.problem).toBeUndefined();
    // Appends after the migration chain to the backfilled hashes.
    await t.store.appendToStream('a', [event(4)], { expectedRevision: 2 });
    expect((await verifyEventLog(t.pool)).problem).toBeUndefined();
    // And the append-only trigger is on again.
    await expect(t.pool.query(`delete from event_log where stream_name = 'a'`)).rejects.toThrow(/append-only/);
  });
});
