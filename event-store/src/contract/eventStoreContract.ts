import { it, expect, beforeEach, afterEach } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { comparePositions, type NewEvent, type Position, type RecordedEvent } from '@reelay/contracts';
import { eventually, uniqueName } from '@reelay/testing';
import { DuplicateEventId, WrongExpectedVersion, type EventFilter, type EventStore, type Subscription } from '../eventStore';
import { runTorture, type FollowLog } from './torture';

/** One adapter under test, on storage of the test's own where the adapter allows it. */
export interface EventStoreSubject {
  readonly store: EventStore;
  /** Cuts every connection the store has open, as a network failure or a server restart would. */
  interruptConnections(): Promise<void>;
  dispose(): Promise<void>;
}

export interface EventStoreSubjectOptions {
  /** Runs inside each append's transaction just before it commits, where the adapter has one. */
  readonly beforeCommit?: () => Promise<void>;
}

export type EventStoreSubjectFactory = (options?: EventStoreSubjectOptions) => Promise<EventStoreSubject>;

const metadata = { correlationId: 'corr', causationId: 'cause', userId: 'u' };
const event = (type = 'VideoDeleted', data: unknown = { deletedBy: 'u' }): NewEvent => ({ id: randomUUID(), type, data, metadata });
const events = (count: number, type?: string) => Array.from({ length: count }, () => event(type));

/** Follows the log with `subscribeToAll`, as the torture test's follower. */
export const subscriptionFollower =
  (store: EventStore, filter: EventFilter): FollowLog =>
  (from, onEvents) =>
    store.subscribeToAll({ from, ...filter, handle: async (batch) => onEvents(batch) });

/** A subscription that records what it is handed; `batches` keeps each batch's end position. */
function record(store: EventStore, from: Position, filter: EventFilter, fail?: (events: readonly RecordedEvent[]) => boolean) {
  const seen: RecordedEvent[] = [];
  const batches: { events: RecordedEvent[]; position: Position }[] = [];
  const subscription: Subscription = store.subscribeToAll({
    from,
    ...filter,
    handle: async (batch, position) => {
      if (fail?.(batch)) throw new Error('the handler failed');
      seen.push(...batch);
      batches.push({ events: [...batch], position });
    },
  });
  return { seen, batches, subscription };
}

/**
 * The behaviour every event store adapter must show: EventStoreDB's semantics, as the port
 * describes them. Call it inside a `describe`; each test gets a fresh subject from `factory`.
 * Tests never assume the log is empty (an EventStoreDB server is shared): they name their own
 * streams and follow the log from its head, filtered by their streams' prefix.
 */
export function eventStoreContract(factory: EventStoreSubjectFactory): void {
  let subject: EventStoreSubject;
  let store: EventStore;
  let prefix: string;
  const subscriptions: Subscription[] = [];
  const follow = (from: Position, filter: EventFilter = { streamPrefixes: [prefix] }, fail?: (events: readonly RecordedEvent[]) => boolean) => {
    const recorded = record(store, from, filter, fail);
    subscriptions.push(recorded.subscription);
    return recorded;
  };

  beforeEach(async () => {
    subject = await factory();
    store = subject.store;
    prefix = `${uniqueName('c')}-`;
  });
  afterEach(async () => {
    await Promise.all(subscriptions.splice(0).map((s) => s.stop()));
    await subject.dispose();
  });

  it('appends to a new stream and reads it back in revision order', async () => {
    const appended = events(3);
    const result = await store.appendToStream(`${prefix}a`, appended, { expectedRevision: 'no_stream' });
    expect(result.nextExpectedRevision).toBe(2);
    const read = await store.readStream(`${prefix}a`);
    expect(read.map((e) => [e.id, e.revision, e.streamName])).toEqual(appended.map((e, i) => [e.id, i, `${prefix}a`]));
    expect(read[0]?.data).toEqual({ deletedBy: 'u' });
    expect(read[0]?.metadata).toEqual(metadata);
    expect(read[2]?.position).toEqual(result.position);
    expect(await store.readStream(`${prefix}none`)).toEqual([]);
  });

  it('reads a stream forwards or backwards from a revision, at most a count', async () => {
    await store.appendToStream(`${prefix}s`, events(5), { expectedRevision: 'no_stream' });
    const revisions = async (options: Parameters<EventStore['readStream']>[1]) => (await store.readStream(`${prefix}s`, options)).map((e) => e.revision);
    expect(await revisions({ fromRevision: 2 })).toEqual([2, 3, 4]);
    expect(await revisions({ fromRevision: 1, maxCount: 2 })).toEqual([1, 2]);
    expect(await revisions({ direction: 'backwards' })).toEqual([4, 3, 2, 1, 0]);
    expect(await revisions({ direction: 'backwards', maxCount: 1 })).toEqual([4]);
    expect(await revisions({ direction: 'backwards', fromRevision: 3, maxCount: 2 })).toEqual([3, 2]);
    expect(await revisions({ direction: 'backwards', fromRevision: 'start' })).toEqual([0]);
    expect(await revisions({ fromRevision: 'end' })).toEqual([]);
    expect(await revisions({ fromRevision: 9 })).toEqual([]);
  });

  it('checks the expected revision: no_stream, stream_exists, an exact revision or any', async () => {
    const s = `${prefix}s`;
    await expect(store.appendToStream(s, [event()], { expectedRevision: 'stream_exists' })).rejects.toBeInstanceOf(WrongExpectedVersion);
    await store.appendToStream(s, [event()], { expectedRevision: 'no_stream' });
    const stale = await store.appendToStream(s, [event()], { expectedRevision: 'no_stream' }).catch((error: unknown) => error);
    expect(stale).toBeInstanceOf(WrongExpectedVersion);
    expect(stale).toMatchObject({ streamName: s, expected: 'no_stream', actual: 0 });
    await expect(store.appendToStream(s, [event()], { expectedRevision: 5 })).rejects.toMatchObject({ name: 'WrongExpectedVersion', actual: 0 });
    await store.appendToStream(s, [event()], { expectedRevision: 0 });
    await store.appendToStream(s, [event()], { expectedRevision: 'stream_exists' });
    await store.appendToStream(s, [event()], { expectedRevision: 'any' });
    expect((await store.readStream(s)).length).toBe(4);
  });

  it('lets exactly one of many concurrent writers at the same revision win', async () => {
    await store.appendToStream(`${prefix}race`, [event()], { expectedRevision: 'no_stream' });
    const outcomes = await Promise.allSettled(Array.from({ length: 8 }, () => store.appendToStream(`${prefix}race`, [event()], { expectedRevision: 0 })));
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    expect(outcomes.filter((o) => o.status === 'rejected').every((o) => (o as PromiseRejectedResult).reason instanceof WrongExpectedVersion)).toBe(true);
    expect(await store.readStream(`${prefix}race`)).toHaveLength(2);
  });

  it('returns the original result when the same events are appended again', async () => {
    const appended = events(2);
    const first = await store.appendToStream(`${prefix}idem`, appended, { expectedRevision: 'no_stream' });
    const again = await store.appendToStream(`${prefix}idem`, appended, { expectedRevision: 'no_stream' });
    expect(again).toEqual(first);
    expect(await store.readStream(`${prefix}idem`)).toHaveLength(2);
  });

  it('treats a known event id with other content as a conflict', async () => {
    const original = event();
    await store.appendToStream(`${prefix}idem`, [original], { expectedRevision: 'no_stream' });
    const changed = { ...original, data: { deletedBy: 'someone else' } };
    await expect(store.appendToStream(`${prefix}idem`, [changed], { expectedRevision: 'no_stream' })).rejects.toBeInstanceOf(DuplicateEventId);
    expect((await store.readStream(`${prefix}idem`)).map((e) => e.data)).toEqual([{ deletedBy: 'u' }]);
  });

  it('reads the global log after a position, in order, filtered by type or stream prefix', async () => {
    const from = await store.headPosition();
    await store.appendToStream(`${prefix}a`, [event('VideoDeleted'), event('UploadRetryRequested', { requestedBy: 'u' })], { expectedRevision: 'any' });
    await store.appendToStream(`${prefix}b`, [event('VideoDeleted')], { expectedRevision: 'any' });
    await store.appendToStream(`${prefix}a`, [event('VideoDeleted')], { expectedRevision: 'any' });
    const ours = { streamPrefixes: [prefix] };
    const all = await eventually(async () => {
      const read = await store.readAll({ from, limit: 100, ...ours });
      expect(read).toHaveLength(4);
      return read;
    });
    expect(all.map((e) => `${e.streamName.slice(prefix.length)}:${e.revision}`)).toEqual(['a:0', 'a:1', 'b:0', 'a:2']);
    for (const [i, e] of all.slice(1).entries()) expect(comparePositions(e.position, (all[i] as RecordedEvent).position)).toBe(1);
    expect((await store.readAll({ from: (all[1] as RecordedEvent).position, limit: 1, ...ours })).map((e) => e.id)).toEqual([all[2]?.id]);
    expect((await store.readAll({ from, limit: 100, ...ours, eventTypes: ['UploadRetryRequested'] })).map((e) => e.id)).toEqual([all[1]?.id]);
    expect((await store.readAll({ from, limit: 100, streamPrefixes: [`${prefix}b`] })).map((e) => e.id)).toEqual([all[2]?.id]);
  });

  it('puts the head of the log at the newest event', async () => {
    await store.appendToStream(`${prefix}a`, events(2), { expectedRevision: 'any' });
    const last = await store.appendToStream(`${prefix}b`, events(1), { expectedRevision: 'any' });
    expect(comparePositions(await store.headPosition(), last.position)).toBeGreaterThanOrEqual(0);
  });

  it('delivers each event once and in order to a subscription, from its position on, as events are appended', async () => {
    const before = await store.appendToStream(`${prefix}x`, [event()], { expectedRevision: 'no_stream' });
    const { seen } = follow(before.position);
    for (let i = 0; i < 3; i += 1) await store.appendToStream(`${prefix}s${i % 2}`, events(2), { expectedRevision: 'any' });
    await eventually(() => expect(seen).toHaveLength(6), 10_000);
    expect(seen.map((e) => `${e.streamName.slice(prefix.length)}:${e.revision}`)).toEqual(['s0:0', 's0:1', 's1:0', 's1:1', 's0:2', 's0:3']);
  });

  it('filters a subscription by type or stream prefix and ends each batch at its last event', async () => {
    const from = await store.headPosition();
    const byType = follow(from, { streamPrefixes: [prefix], eventTypes: ['UploadRetryRequested'] });
    const byStream = follow(from, { streamPrefixes: [`${prefix}b`] });
    await store.appendToStream(`${prefix}a`, [event('VideoDeleted'), event('UploadRetryRequested', { requestedBy: 'u' })], { expectedRevision: 'any' });
    const inB = await store.appendToStream(`${prefix}b`, [event('VideoDeleted')], { expectedRevision: 'any' });
    await eventually(() => expect(byType.seen.map((e) => e.type)).toEqual(['UploadRetryRequested']));
    await eventually(() => expect(byStream.seen.map((e) => e.streamName)).toEqual([`${prefix}b`]));
    const batchWithB = byStream.batches.find((b) => b.events.length > 0);
    expect(batchWithB?.position).toEqual(inB.position);
  });

  it('resumes after its connections are cut, without a gap or a duplicate', async () => {
    const { seen } = follow(await store.headPosition());
    const appended: string[] = [];
    const appendRetrying = async (stream: string) => {
      const batch = events(2);
      // A cut connection may have taken the commit's answer with it: the same ids are safe to send again.
      await eventually(() => store.appendToStream(stream, batch, { expectedRevision: 'any' }), 15_000, 100);
      appended.push(...batch.map((e) => e.id));
    };
    await appendRetrying(`${prefix}a`);
    await appendRetrying(`${prefix}b`);
    await eventually(() => expect(seen).toHaveLength(4));
    await subject.interruptConnections();
    await appendRetrying(`${prefix}a`);
    await appendRetrying(`${prefix}c`);
    await eventually(() => expect(seen).toHaveLength(8), 15_000);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(seen.map((e) => e.id)).toEqual(appended);
  });

  it('stops when its handler fails, handing over nothing after the failed batch', async () => {
    const from = await store.headPosition();
    const { seen, subscription } = follow(from, { streamPrefixes: [prefix] }, (batch) => batch.some((e) => e.streamName === `${prefix}poison`));
    await store.appendToStream(`${prefix}ok`, [event()], { expectedRevision: 'any' });
    await eventually(() => expect(seen).toHaveLength(1));
    await store.appendToStream(`${prefix}poison`, [event()], { expectedRevision: 'any' });
    await expect(subscription.done).rejects.toThrow('the handler failed');
    await store.appendToStream(`${prefix}after`, [event()], { expectedRevision: 'any' });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(seen.map((e) => e.streamName)).toEqual([`${prefix}ok`]);
  });

  it('reads an event written at an older schema version upcast, the same on every read path', async () => {
    // NotificationFailed v1 had no providerStatus; v2 readers see it as null.
    const v1 = { provider: 'onesignal', kind: 'UPLOAD_FAILED', forEventId: randomUUID(), error: 'invalid app' };
    const old: NewEvent = { ...event('NotificationFailed', v1), schemaVersion: 1 };
    const from = await store.headPosition();
    const { seen } = follow(from);
    const first = await store.appendToStream(`${prefix}v`, [old], { expectedRevision: 'no_stream' });
    expect(await store.appendToStream(`${prefix}v`, [old], { expectedRevision: 'no_stream' })).toEqual(first);

    const expected = { id: old.id, type: 'NotificationFailed', schemaVersion: 1, data: { ...v1, providerStatus: null } };
    expect((await store.readStream(`${prefix}v`))[0]).toMatchObject(expected);
    await eventually(async () => expect((await store.readAll({ from, limit: 10, streamPrefixes: [prefix] }))[0]).toMatchObject(expected));
    await eventually(() => expect(seen[0]).toMatchObject(expected));
  });

  it('delivers every event exactly once and each stream in order while many writers commit out of order', async () => {
    // Its own subject: random delays inside every append's transaction (where there is one).
    const tortured = await factory({ beforeCommit: () => new Promise((resolve) => setTimeout(resolve, Math.random() * 25)) });
    try {
      const from = await tortured.store.headPosition();
      const report = await runTorture(tortured.store, subscriptionFollower(tortured.store, { streamPrefixes: [prefix] }), from, {
        writers: 12,
        appendsPerWriter: 20,
        streams: 8,
        streamPrefix: prefix,
        maxPauseMs: 5,
        settleMs: 15_000,
      });
      expect(report).toEqual({
        appended: report.appended,
        delivered: report.appended,
        missing: 0,
        duplicated: 0,
        streamsOutOfOrder: [],
        globalOrderBroken: false,
      });
      expect(report.appended).toBeGreaterThanOrEqual(12 * 20);
    } finally {
      await tortured.dispose();
    }
  });
}
