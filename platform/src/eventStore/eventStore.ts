import type { NewEvent, Position, RecordedEvent } from '@reelay/contracts';

/**
 * What an append expects of its stream, as EventStoreDB defines it: `any` (no check),
 * `no_stream` (must be empty), `stream_exists`, or the exact revision of its last event.
 */
export type ExpectedRevision = 'any' | 'no_stream' | 'stream_exists' | number;

export interface AppendResult {
  /** The revision of the last event now in the stream. */
  readonly nextExpectedRevision: number;
  readonly position: Position;
}

/** Thrown when a stream is not at the revision an append expected. */
export class WrongExpectedVersion extends Error {
  override readonly name = 'WrongExpectedVersion';
  constructor(
    readonly streamName: string,
    readonly expected: ExpectedRevision,
    readonly actual: number | 'no_stream',
  ) {
    super(`stream ${streamName} expected at ${String(expected)} but is at ${String(actual)}`);
  }
}

/** An event id that already exists with other content or at another place. */
export class DuplicateEventId extends Error {
  override readonly name = 'DuplicateEventId';
}

export interface ReadAllOptions {
  /** Exclusive: events after this position. */
  readonly from: Position;
  readonly limit: number;
  /** Only events of these types (all when absent). */
  readonly eventTypes?: readonly string[];
}

export interface SubscribeOptions {
  /** Exclusive: deliver events after this position. */
  readonly from: Position;
  readonly eventTypes?: readonly string[];
  readonly batchSize?: number;
  /**
   * Handles one batch in global order; `position` is where the batch ends (events the filter
   * left out included), the checkpoint to store with the batch's effects. The subscription moves
   * on only after the promise resolves; a rejection stops it (`done` rejects), so nothing is
   * skipped. A batch may be empty when only filtered-out events were passed.
   */
  readonly handle: (events: readonly RecordedEvent[], position: Position) => Promise<void>;
}

export interface Subscription {
  /** Stops after the batch in flight, if any. */
  stop(): Promise<void>;
  /** Settles when the subscription stops: rejects with the error that stopped it. */
  readonly done: Promise<void>;
  /** The position after the last batch handled. */
  position(): Position;
}

/** The event store port: one append-only log of streams, read per stream or globally. */
export interface EventStore {
  appendToStream(
    streamName: string,
    events: readonly NewEvent[],
    options: { expectedRevision: ExpectedRevision },
  ): Promise<AppendResult>;
  /** The events of one stream in revision order; empty when the stream does not exist. */
  readStream(streamName: string): Promise<RecordedEvent[]>;
  /** Committed events after `from` in global order; never skips one that committed late. */
  readAll(options: ReadAllOptions): Promise<RecordedEvent[]>;
  subscribeToAll(options: SubscribeOptions): Subscription;
  /** The position of the newest committed event (START when empty): where a caught-up subscriber is. */
  headPosition(): Promise<Position>;
  close(): Promise<void>;
}
