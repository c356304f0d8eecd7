import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { START, type NewEvent, type Position, type RecordedEvent } from '@reelay/contracts';
import { createTestEventStore } from '../../testing';
import { DuplicateEventId, WrongExpectedVersion } from '../eventStore';

type TestStore = Awaited<ReturnType<typeof createTestEventStore>>;

const metadata = { correlationId: 'c', causationId: 'c', userId: 'u' };
const event = (type = 'VideoDeleted', data: unknown = { deletedBy: 'u' }): NewEvent => ({ id: randomUUID(), type, data, metadata });

describe('PostgresEventStore', () => {
  let t: TestStore;
  beforeEach(async () => {
    t = await createTestEventStore({ safetyPollMs: 60_000 });
  });
  afterEach(async () => {
    await t.dispose();
  });

  it('appends to a new stream and reads it back in revision order', async () => {
    const result = await t.store.appendToStream('video-a', [event(), event(), event()], { expectedRevision: 'no_stream' });
    expect(result.nextExpectedRevision).toBe(2);
    const read = await t.store.readStream('video-a');
    expect(read.map((e) => e.revision)).toEqual([0, 1, 2]);
    expect(read[0]?.data).toEqual({ deletedBy: 'u' });
    expect(read[0]?.metadata).toEqual(metadata);
    expect(await t.store.readStream('video-none')).toEqual([]);
  });

  it('refuses an append whose expected revision is stale', async () => {
    await t.store.appendToStream('s', [event()], { expectedRevision: 'no_stream' });
    await expect(t.store.appendToStream('s', [event()], { expectedRevision: 'no_stream' })).rejects.toBeInstanceOf(WrongExpectedVersion);
    await expect(t.store.appendToStream('s', [event()], { expectedRevision: 5 })).rejects.toBeInstanceOf(WrongExpectedVersion);
    await expect(t.store.appendToStream('other', [event()], { expectedRevision: 'stream_exists' })).rejects.toBeInstanceOf(WrongExpectedVersion);
    await t.store.appendToStream('s', [event()], { expectedRevision: 0 });
    await t.store.appendToStream('s', [event()], { expectedRevision: 'any' });
    expect((await t.store.readStream('s')).length).toBe(3);
  });

  it('lets exactly one of many concurrent writers at the same revision win', async () => {
    await t.store.appendToStream('race', [event()], { expectedRevision: 'no_stream' });
    const outcomes = await Promise.allSettled(Array.from({ length: 8 }, () => t.store.appendToStream('race', [event()], { expectedRevision: 0 })));
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    expect(outcomes.filter((o) => o.status === 'rejected').every((o) => (o as PromiseRejectedResult).reason instanceof WrongExpectedVersion)).toBe(true);
  });

  it('returns the original result when the same events are appended again', async () => {
    const events = [event(), event()];
    const first = await t.store.appendToStream('idem', events, { expectedRevision: 'no_stream' });
    const again = await t.store.appendToStream('idem', events, { expectedRevision: 'no_stream' });
    expect(again).toEqual(first);
    expect(await t.store.readStream('idem')).toHaveLength(2);
  });

  it('treats a known event id with other content as a conflict', async () => {
    const original = event();
    await t.store.appendToStream('idem', [original], { expectedRevision: 'no_stream' });
    await expect(t.store.appendToStream('idem', [{ ...original, data: { deletedBy: 'someone else' } }], { expectedRevision: 'any' })).rejects.toBeInstanceOf(
      DuplicateEventId,
    );
  });

  it('refuses to update or delete the log', async () => {
    await t.store.appendToStream('s', [event()], { expectedRevision: 'no_stream' });
    await expect(t.pool.query(`update event_log set type = 'x'`)).rejects.toThrow(/append-only/);
    await expect(t.pool.query('delete from event_log')).rejects.toThrow(/append-only/);
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
    await readMore();
    expect(seen.map((e) => e.streamName)).toEqual(['late', 'early']);
  });

  it('wakes a subscription on commit and delivers every event once, in order', async () => {
    const seen: string[] = [];
    const subscription = t.store.subscribeToAll({
      from: START,
      handle: async (events) => {
        seen.push(...events.map((e) => `${e.streamName}:${e.revision}`));
      },
    });
    for (let i = 0; i < 3; i += 1) await t.store.appendToStream(`s${i % 2}`, [event(), event()], { expectedRevision: 'any' });
    // The safety poll is a minute: only LISTEN/NOTIFY can make this pass in time.
    const deadline = Date.now() + 10_000;
    while (seen.length < 6 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await subscription.stop();
    expect(seen).toEqual(['s0:0', 's0:1', 's1:0', 's1:1', 's0:2', 's0:3']);
  });

  it('delivers an event held back by an unrelated open transaction as soon as that transaction ends', async () => {
    // Any write transaction on the cluster holds the global read back; its end notifies nobody.
    const blocker = new pg.Client({ connectionString: t.url });
    await blocker.connect();
    await blocker.query('create table scratch (x int)');
    await blocker.query('begin');
    await blocker.query('insert into scratch values (1)');

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

    await blocker.query('commit');
    await blocker.end();
    // The safety poll is a minute: only the held-back retry can deliver it in time.
    const deadline = Date.now() + 10_000;
    while (seen.length < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await subscription.stop();
    expect(seen).toEqual(['held']);
  });

  it('filters a subscription by type but still advances past what it leaves out', async () => {
    await t.store.appendToStream('s', [event('VideoDeleted'), event('UploadRetryRequested', { requestedBy: 'u' })], { expectedRevision: 'any' });
    const batches: { types: string[]; position: Position }[] = [];
    const subscription = t.store.subscribeToAll({
      from: START,
      eventTypes: ['UploadRetryRequested'],
      handle: async (events, position) => {
        batches.push({ types: events.map((e) => e.type), position });
      },
    });
    const deadline = Date.now() + 10_000;
    while (batches.length < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await subscription.stop();
    expect(batches[0]?.types).toEqual(['UploadRetryRequested']);
    expect(batches[0]?.position).toEqual(await t.store.headPosition());
  });
});
