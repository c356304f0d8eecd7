import {
  ANY,
  NO_STREAM,
  START as ESDB_START,
  STREAM_EXISTS,
  type AppendExpectedRevision,
  type Position as EsdbPosition,
  type ReadPosition,
  type ResolvedEvent,
} from '@eventstore/db-client';
import { START, comparePositions, schemaVersionToWrite, type EventMetadata, type NewEvent, type Position, type RecordedEvent } from '@reelay/contracts';
import { toRecordedEvent, type ExpectedRevision } from '@reelay/event-store';

/**
 * Translations between the port and `@eventstore/db-client`. Positions are EventStoreDB's own
 * `{commit, prepare}` written as decimal strings, so checkpoints stored by either adapter have one
 * format. The schema version rides in the event's metadata, next to `$correlationId` and
 * `$causationId`, which EventStoreDB's system projections understand.
 */

export function toPosition(position: EsdbPosition): Position {
  return { commit: position.commit.toString(10), prepare: position.prepare.toString(10) };
}

/** START means "from the very beginning"; any other position is passed as it is. */
export function toReadPosition(position: Position): ReadPosition {
  return comparePositions(position, START) === 0 ? ESDB_START : { commit: BigInt(position.commit), prepare: BigInt(position.prepare) };
}

export function toEsdbExpectedRevision(expected: ExpectedRevision): AppendExpectedRevision {
  switch (expected) {
    case 'any':
      return ANY;
    case 'no_stream':
      return NO_STREAM;
    case 'stream_exists':
      return STREAM_EXISTS;
    default:
      return BigInt(expected);
  }
}

/** What EventStoreDB stores as an event's metadata. */
export interface StoredMetadata extends EventMetadata {
  readonly $correlationId: string;
  readonly $causationId: string;
  readonly schemaVersion: number;
}

export function toStoredMetadata(event: NewEvent): StoredMetadata {
  return {
    ...event.metadata,
    $correlationId: event.metadata.correlationId,
    $causationId: event.metadata.causationId,
    schemaVersion: schemaVersionToWrite(event),
  };
}

/** System events (`$`-prefixed types: statistics, links, settings) are EventStoreDB's, never ours. */
export function isSystemEvent(resolved: ResolvedEvent): boolean {
  return resolved.event?.type.startsWith('$') ?? true;
}

/** The position of a read event; EventStoreDB below 22.6 gives none on stream reads. */
export function positionOf(resolved: ResolvedEvent): Position | undefined {
  const position = resolved.event?.position;
  return position ? toPosition(position) : undefined;
}

/** A read event as the port's RecordedEvent, upcast like every adapter's. */
export function toRecorded(resolved: ResolvedEvent): RecordedEvent {
  const event = resolved.event;
  if (!event) throw new Error('an unresolved link event reached the event store adapter');
  const data = event.isJson ? event.data : JSON.parse(Buffer.from(event.data).toString('utf8'));
  const metadata = (event.metadata instanceof Uint8Array ? JSON.parse(Buffer.from(event.metadata).toString('utf8')) : event.metadata) as Partial<StoredMetadata>;
  return toRecordedEvent({
    id: event.id,
    type: event.type,
    schemaVersion: typeof metadata?.schemaVersion === 'number' ? metadata.schemaVersion : 1,
    streamName: event.streamId,
    revision: Number(event.revision),
    position: positionOf(resolved) ?? START,
    recordedAt: event.created,
    data,
    metadata,
  });
}
