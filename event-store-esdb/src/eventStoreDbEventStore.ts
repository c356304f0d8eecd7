import {
  BACKWARDS,
  END,
  type EventStoreDBClient,
  FORWARDS,
  START as ESDB_START,
  jsonEvent,
  type JSONType,
  type ReadPosition,
  type ResolvedEvent,
  type StreamingRead,
} from '@eventstore/db-client';
import { isDeepStrictEqual } from 'node:util';
import { START, comparePositions, schemaVersionToWrite, upcast, type NewEvent, type Position, type RecordedEvent } from '@reelay/contracts';
import {
  DuplicateEventId,
  EventStoreUnavailable,
  WrongExpectedVersion,
  matchesFilter,
  type AppendResult,
  type EventStore,
  type ExpectedRevision,
  type ReadAllOptions,
  type ReadStreamOptions,
  type SubscribeOptions,
  type Subscription,
} from '@reelay/event-store';
import { isStreamNotFound, isUnavailable, isWrongExpectedVersion } from './esdbErrors';
import { isSystemEvent, positionOf, toEsdbExpectedRevision, toReadPosition, toRecorded, toStoredMetadata } from './esdbMapping';
import { EventStoreDbSubscription } from './eventStoreDbSubscription';

/** Raw events fetched per round trip when a filtered read has to look further. */
const READ_PAGE = 500;

/**
 * The event store on EventStoreDB (or KurrentDB) through `@eventstore/db-client`. The server
 * gives the global order, optimistic concurrency and subscriptions; this adapter maps them to the
 * port, hides system events, upcasts like the Postgres adapter, and makes one promise the server
 * does not keep by itself: an event id appended again with other content is a DuplicateEventId
 * (EventStoreDB takes any repeated id as an idempotent retry). That check reads the appended
 * events back, one extra round trip per append.
 */
export class EventStoreDbEventStore implements EventStore {
  constructor(private readonly client: EventStoreDBClient) {}

  async appendToStream(streamName: string, events: readonly NewEvent[], options: { expectedRevision: ExpectedRevision }): Promise<AppendResult> {
    if (events.length === 0) throw new Error('appendToStream needs at least one event');
    let next: bigint;
    try {
      const result = await this.client.appendToStream(
        streamName,
        events.map((event) => jsonEvent({ id: event.id, type: event.type, data: event.data as JSONType, metadata: toStoredMetadata(event) })),
        { expectedRevision: toEsdbExpectedRevision(options.expectedRevision) },
      );
      next = result.nextExpectedRevision;
    } catch (error) {
      throw this.translate(error, streamName, options.expectedRevision);
    }
    const stored = await this.readStream(streamName, { fromRevision: Number(next) - events.length + 1, maxCount: events.length });
    for (const event of events) {
      const found = stored.find((candidate) => candidate.id === event.id);
      if (found && !sameContent(found, event)) {
        throw new DuplicateEventId(`event id ${event.id} was appended before with other content`);
      }
    }
    const last = stored[stored.length - 1];
    return { nextExpectedRevision: Number(next), position: last?.position ?? START };
  }

  async readStream(streamName: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const from = options.fromRevision ?? (options.direction === 'backwards' ? 'end' : 'start');
    const read = this.client.readStream(streamName, {
      direction: options.direction === 'backwards' ? BACKWARDS : FORWARDS,
      fromRevision: from === 'start' ? ESDB_START : from === 'end' ? END : BigInt(from),
      ...(options.maxCount === undefined ? {} : { maxCount: options.maxCount }),
    });
    try {
      return (await collect(read)).filter((resolved) => !isSystemEvent(resolved)).map(toRecorded);
    } catch (error) {
      if (isStreamNotFound(error)) return [];
      throw this.translate(error);
    }
  }

  async readAll(options: ReadAllOptions): Promise<RecordedEvent[]> {
    const found: RecordedEvent[] = [];
    let from = options.from;
    for (;;) {
      // A read from a position includes the event at it; the port's `from` is exclusive.
      const page = await this.readAllPage(toReadPosition(from), FORWARDS);
      for (const resolved of page) {
        const position = positionOf(resolved);
        if (!position || comparePositions(position, from) <= 0) continue;
        from = position;
        if (isSystemEvent(resolved)) continue;
        const event = toRecorded(resolved);
        if (!matchesFilter(event, options)) continue;
        found.push(event);
        if (found.length >= options.limit) return found;
      }
      if (page.length < READ_PAGE) return found;
    }
  }

  async headPosition(): Promise<Position> {
    let from: ReadPosition = END;
    for (;;) {
      const page = await this.readAllPage(from, BACKWARDS);
      const newest = page.find((resolved) => !isSystemEvent(resolved));
      if (newest) return positionOf(newest) ?? START;
      const oldest = page[page.length - 1]?.event?.position;
      if (page.length < READ_PAGE || !oldest) return START;
      from = oldest;
    }
  }

  subscribeToAll(options: SubscribeOptions): Subscription {
    return new EventStoreDbSubscription(this.client, options);
  }

  async close(): Promise<void> {
    await this.client.dispose();
  }

  private async readAllPage(fromPosition: ReadPosition, direction: typeof FORWARDS | typeof BACKWARDS): Promise<ResolvedEvent[]> {
    try {
      return await collect(this.client.readAll({ fromPosition, direction, maxCount: READ_PAGE }));
    } catch (error) {
      throw this.translate(error);
    }
  }

  /** The port's typed errors for what the client threw; anything else unchanged. */
  private translate(error: unknown, streamName?: string, expected?: ExpectedRevision): unknown {
    if (streamName !== undefined && expected !== undefined && isWrongExpectedVersion(error)) {
      const actual = error.actualVersion;
      return new WrongExpectedVersion(streamName, expected, actual === 'no_stream' || typeof actual !== 'bigint' ? 'no_stream' : Number(actual));
    }
    if (isUnavailable(error)) return new EventStoreUnavailable(`EventStoreDB is unavailable: ${(error as Error).message}`, { cause: error });
    return error;
  }
}

async function collect<E>(read: StreamingRead<E>): Promise<E[]> {
  const items: E[] = [];
  for await (const item of read) items.push(item);
  return items;
}

/** Whether the stored event is `event` again: same type and version, the same data as read. */
function sameContent(stored: RecordedEvent, event: NewEvent): boolean {
  const version = schemaVersionToWrite(event);
  return (
    stored.type === event.type &&
    stored.schemaVersion === version &&
    // What was read is upcast; lift the new event's data the same way before comparing.
    isDeepStrictEqual(stored.data, upcast(event.type, version, JSON.parse(JSON.stringify(event.data))))
  );
}
