import type { NewEvent, Position, RecordedEvent } from '@reelay/contracts';
import { DependencyUnavailable } from '@reelay/platform/core';

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

/**
 * The event store could not be reached (connection refused or lost, server unavailable). The
 * operation may or may not have happened: an append retried with the same event ids is safe.
 */
export class EventStoreUnavailable extends DependencyUnavailable {
  override readonly name = 'EventStoreUnavailable';
}

/**
 * Which events of the global log a reader wants. Both parts are optional; an event must match
 * every part given. EventStoreDB's server-side filters take one of them, the adapter applies
 * the other itself, so the answer is the same on both adapters.
 */
export interface EventFilter {
  /** Only events of these types (exact names). */
  readonly eventTypes?: readonly string[];
  /** Only events of streams whose name starts with one of these. */
  readonly streamPrefixes?: readonly string[];
}

/** Where a stream read starts: a revision (inclusive), or either end of the stream. */
export type StreamReadFrom = number | 'start' | 'end';

/** As EventStoreDB reads a stream: forwards or backwards from a revision, at most `maxCount`. */
export interface ReadStreamOptions {
  /** Default `forwards`. */
  readonly direction?: 'forwards' | 'backwards';
  /** Inclusive. Default: `start` forwards, `end` backwards. */
  readonly fromRevision?: StreamReadFrom;
  /** Default: every event from `fromRevision` on. */
  readonly maxCount?: number;
}

export interface ReadAllOptions extends EventFilter {
  /** Exclusive: events after this position. */
  readonly from: Position;
  /** At most this many events (after filtering). */
  readonly limit: number;
}

export interface SubscribeOptions extends EventFilter {
  /** Exclusive: deliver events after this position (a stored checkpoint, or START). */
  readonly from: Position;
  readonly batchSize?: number;
  /**
   * Handles one batch in global order; `position` is where the batch ends (events the filter
   * left out included), the checkpoint to store with the batch's effects. The subscription moves
   * on only after the promise resolves; a rejection stops it (`done` rejects), so nothing is
   * skipped. A batch may be empty when only filtered-out events were passed.
   *
   * A lost connection does not stop the subscription: it reconnects and carries on after the
   * last batch handled, so no event is skipped or handed over twice.
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
  /**
   * The events of one stream: by default all of them in revision order; otherwise as
   * `options` say (backwards, from a revision, at most a count). Empty when the stream does not
   * exist.
   */
  readStream(streamName: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;
  /** Committed events after `from` in global order; never skips one that committed late. */
  readAll(options: ReadAllOptions): Promise<RecordedEvent[]>;
  /** Follows the global log from `options.from` in order, live once caught up (see SubscribeOptions). */
  subscribeToAll(options: SubscribeOptions): Subscription;
  /** The position of the newest committed event (START when empty): where a caught-up subscriber is. */
  headPosition(): Promise<Position>;
  close(): Promise<void>;
}
