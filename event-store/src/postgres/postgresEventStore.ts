import type pg from 'pg';
import { START, type NewEvent, type Position, type RecordedEvent } from '@reelay/contracts';
import type { AppendResult, EventStore, ExpectedRevision, ReadAllOptions, ReadStreamOptions, SubscribeOptions, Subscription } from '../eventStore';
import { EVENT_COLUMNS, rowToRecordedEvent, type EventRow } from './rows';
import { EVENTS_CHANNEL, migrateEventStore } from './schema';
import { CommitListener } from './commitListener';
import { PollingSubscription } from './pollingSubscription';
import { appendInTransaction, type AppendTransactionHooks } from './appendTransaction';
import { CommitNotifier } from './commitNotifier';

const UNIQUE_VIOLATION = '23505';

export interface PostgresEventStoreOptions {
  /** How long a caught-up subscriber sleeps at most without a notification (default 1 s). */
  readonly safetyPollMs?: number;
  /** Seams inside each append's transaction; for tests and the benchmark only. */
  readonly appendHooks?: AppendTransactionHooks;
}

/**
 * The event store on Postgres. An append is one call of `reelay_append` (schema.ts), which
 * serialises the writers of one stream and lets other streams' writers run in parallel; the
 * subscribers are woken by a NOTIFY sent after the commit (`CommitNotifier`). The global order is (transaction id, position), and global readers only take rows of
 * transactions below the snapshot's xmin — older than every transaction still running — so an
 * event whose transaction commits after a later one's is held back, never skipped.
 */
export class PostgresEventStore implements EventStore {
  private readonly listener: CommitListener;
  private readonly notifier: CommitNotifier;
  private readonly hooks: AppendTransactionHooks;

  constructor(
    private readonly pool: pg.Pool,
    options: PostgresEventStoreOptions = {},
  ) {
    this.listener = new CommitListener(pool, EVENTS_CHANNEL, options.safetyPollMs ?? 1000);
    this.notifier = new CommitNotifier(pool, EVENTS_CHANNEL);
    this.hooks = options.appendHooks ?? {};
  }

  migrate(): Promise<void> {
    return migrateEventStore(this.pool);
  }

  async appendToStream(streamName: string, events: readonly NewEvent[], options: { expectedRevision: ExpectedRevision }): Promise<AppendResult> {
    if (events.length === 0) throw new Error('appendToStream needs at least one event');
    const result = await this.appendOnce(streamName, events, options.expectedRevision);
    // Not awaited: the append is durable and visible already; the wake-up call may trail it.
    void this.notifier.notify();
    return result;
  }

  private async appendOnce(streamName: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    try {
      return await appendInTransaction(this.pool, streamName, events, expected, this.hooks);
    } catch (error) {
      // A concurrent append of the same event ids (to another stream) won the race: now they
      // are there to compare.
      const { code, constraint } = error as { code?: string; constraint?: string };
      if (code === UNIQUE_VIOLATION && constraint === 'event_log_event_id_key') {
        return appendInTransaction(this.pool, streamName, events, expected, this.hooks);
      }
      throw error;
    }
  }

  async readStream(streamName: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const backwards = options.direction === 'backwards';
    const from = options.fromRevision ?? (backwards ? 'end' : 'start');
    // Forwards from the end, like EventStoreDB, finds nothing.
    if (from === 'end' && !backwards) return [];
    const bound = from === 'start' ? (backwards ? 0 : null) : from === 'end' ? null : from;
    const result = await this.pool.query<EventRow>(
      `select ${EVENT_COLUMNS} from event_log
       where stream_name = $1 and ($2::bigint is null or ${backwards ? 'revision <= $2' : 'revision >= $2'})
       order by revision ${backwards ? 'desc' : 'asc'}
       limit $3`,
      [streamName, bound, options.maxCount ?? null],
    );
    return result.rows.map(rowToRecordedEvent);
  }

  async readAll(options: ReadAllOptions): Promise<RecordedEvent[]> {
    // Only rows of transactions older than every running one: a transaction that is still open
    // may commit an event "before" ones already visible, so everything from it on waits.
    const result = await this.pool.query<EventRow>(
      `select ${EVENT_COLUMNS} from event_log
       where (transaction_id, position) > ($1::xid8, $2::bigint)
         and transaction_id < pg_snapshot_xmin(pg_current_snapshot())
         and ($4::text[] is null or type = any($4::text[]))
         and ($5::text[] is null or exists (select 1 from unnest($5::text[]) as prefix where starts_with(stream_name, prefix)))
       order by transaction_id, position
       limit $3`,
      [options.from.commit, options.from.prepare, options.limit, options.eventTypes ?? null, options.streamPrefixes ?? null],
    );
    return result.rows.map(rowToRecordedEvent);
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
    await this.notifier.settled();
    await this.listener.close();
  }
}
