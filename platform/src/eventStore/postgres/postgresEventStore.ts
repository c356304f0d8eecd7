import { isDeepStrictEqual } from 'node:util';
import type pg from 'pg';
import { CURRENT_SCHEMA_VERSION, START, type NewEvent, type Position, type RecordedEvent } from '@reelay/contracts';
import {
  DuplicateEventId,
  WrongExpectedVersion,
  type AppendResult,
  type EventStore,
  type ExpectedRevision,
  type ReadAllOptions,
  type SubscribeOptions,
  type Subscription,
} from '../eventStore';
import { EVENT_COLUMNS, toRecordedEvent, type EventRow } from './rows';
import { EVENTS_CHANNEL, migrateEventStore } from './schema';
import { CommitListener } from './commitListener';
import { PollingSubscription } from './pollingSubscription';

const UNIQUE_VIOLATION = '23505';

/**
 * The event store on Postgres. Appends lock their stream's row, so writers of one stream are
 * serialised and the expected revision is checked under the lock; writers of different streams
 * run in parallel. Global readers follow (transaction id, position) below the snapshot's xmin.
 */
export class PostgresEventStore implements EventStore {
  private readonly listener: CommitListener;

  constructor(
    private readonly pool: pg.Pool,
    options: { safetyPollMs?: number } = {},
  ) {
    this.listener = new CommitListener(pool, EVENTS_CHANNEL, options.safetyPollMs ?? 1000);
  }

  migrate(): Promise<void> {
    return migrateEventStore(this.pool);
  }

  async appendToStream(
    streamName: string,
    events: readonly NewEvent[],
    options: { expectedRevision: ExpectedRevision },
  ): Promise<AppendResult> {
    if (events.length === 0) throw new Error('appendToStream needs at least one event');
    try {
      return await this.appendOnce(streamName, events, options.expectedRevision);
    } catch (error) {
      // A concurrent append of the same event ids won the race: now they are there to compare.
      if ((error as { code?: string }).code === UNIQUE_VIOLATION && (error as { constraint?: string }).constraint === 'event_log_event_id_key') {
        return this.appendOnce(streamName, events, options.expectedRevision);
      }
      throw error;
    }
  }

  private async appendOnce(streamName: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    const client = await this.pool.connect();
    try {
      await client.query('begin');
      const earlier = await this.findAppended(client, streamName, events);
      if (earlier) {
        await client.query('rollback');
        return earlier;
      }
      await client.query('insert into event_streams (stream_name, revision) values ($1, -1) on conflict do nothing', [streamName]);
      const locked = await client.query<{ revision: number }>(
        'select revision from event_streams where stream_name = $1 for update',
        [streamName],
      );
      const current = Number(locked.rows[0]?.revision ?? -1);
      if (!matchesExpected(current, expected)) {
        throw new WrongExpectedVersion(streamName, expected, current < 0 ? 'no_stream' : current);
      }
      const inserted = await client.query<{ position: string; transaction_id: string; revision: number }>(
        `insert into event_log (event_id, stream_name, revision, type, schema_version, data, metadata)
         select e.id, $1, $2 + e.ordinality, e.type, e.schema_version, e.data, e.metadata
         from unnest($3::uuid[], $4::text[], $5::int[], $6::jsonb[], $7::jsonb[]) with ordinality
           as e(id, type, schema_version, data, metadata, ordinality)
         order by e.ordinality
         returning position, transaction_id, revision`,
        [
          streamName,
          current,
          events.map((e) => e.id),
          events.map((e) => e.type),
          events.map((e) => CURRENT_SCHEMA_VERSION[e.type as keyof typeof CURRENT_SCHEMA_VERSION] ?? 1),
          events.map((e) => JSON.stringify(e.data)),
          events.map((e) => JSON.stringify(e.metadata)),
        ],
      );
      const nextExpectedRevision = current + events.length;
      await client.query('update event_streams set revision = $2 where stream_name = $1', [streamName, nextExpectedRevision]);
      await client.query('select pg_notify($1, $2)', [EVENTS_CHANNEL, streamName]);
      await client.query('commit');
      const last = inserted.rows.reduce((a, b) => (Number(a.revision) > Number(b.revision) ? a : b));
      return { nextExpectedRevision, position: { commit: String(last.transaction_id), prepare: String(last.position) } };
    } catch (error) {
      await client.query('rollback').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  /**
   * The result of an earlier append of exactly these events, or undefined when none of their ids
   * is stored. An id stored with other content, in another stream or order, is a DuplicateEventId.
   */
  private async findAppended(client: pg.PoolClient, streamName: string, events: readonly NewEvent[]): Promise<AppendResult | undefined> {
    const found = await client.query<EventRow>(`select ${EVENT_COLUMNS} from event_log where event_id = any($1::uuid[]) order by revision`, [
      events.map((e) => e.id),
    ]);
    if (found.rowCount === 0) return undefined;
    const same =
      found.rows.length === events.length &&
      found.rows.every((row, i) => {
        const event = events[i] as NewEvent;
        return (
          row.event_id === event.id &&
          row.stream_name === streamName &&
          row.type === event.type &&
          isDeepStrictEqual(row.data, JSON.parse(JSON.stringify(event.data))) &&
          (i === 0 || Number(row.revision) === Number(found.rows[i - 1]?.revision) + 1)
        );
      });
    if (!same) throw new DuplicateEventId(`event ids ${events.map((e) => e.id).join(', ')} were appended before with other content`);
    const last = found.rows[found.rows.length - 1] as EventRow;
    return { nextExpectedRevision: Number(last.revision), position: { commit: String(last.transaction_id), prepare: String(last.position) } };
  }

  async readStream(streamName: string): Promise<RecordedEvent[]> {
    const result = await this.pool.query<EventRow>(`select ${EVENT_COLUMNS} from event_log where stream_name = $1 order by revision`, [streamName]);
    return result.rows.map(toRecordedEvent);
  }

  async readAll(options: ReadAllOptions): Promise<RecordedEvent[]> {
    // Only rows of transactions older than every running one: a transaction that is still open
    // may commit an event "before" ones already visible, so everything from it on waits.
    const result = await this.pool.query<EventRow>(
      `select ${EVENT_COLUMNS} from event_log
       where (transaction_id, position) > ($1::xid8, $2::bigint)
         and transaction_id < pg_snapshot_xmin(pg_current_snapshot())
         and ($4::text[] is null or type = any($4::text[]))
       order by transaction_id, position
       limit $3`,
      [options.from.commit, options.from.prepare, options.limit, options.eventTypes ?? null],
    );
    return result.rows.map(toRecordedEvent);
  }

  async headPosition(): Promise<Position> {
    // Every committed event, including any a reader must still hold back behind an older open
    // transaction: a subscriber is caught up only once it has reached this.
    const result = await this.pool.query<{ transaction_id: string; position: string }>(
      `select transaction_id, position from event_log order by transaction_id desc, position desc limit 1`,
    );
    const row = result.rows[0];
    return row ? { commit: String(row.transaction_id), prepare: String(row.position) } : START;
  }

  subscribeToAll(options: SubscribeOptions): Subscription {
    return new PollingSubscription(this, this.listener, options);
  }

  async close(): Promise<void> {
    await this.listener.close();
  }
}

function matchesExpected(current: number, expected: ExpectedRevision): boolean {
  if (expected === 'any') return true;
  if (expected === 'no_stream') return current < 0;
  if (expected === 'stream_exists') return current >= 0;
  return current === expected;
}
