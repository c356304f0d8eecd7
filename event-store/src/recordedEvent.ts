import { EventMetadata, upcast, type Position, type RecordedEvent } from '@reelay/contracts';

/** An event as an adapter read it from its storage, before it is handed to anyone. */
export interface StoredEvent {
  readonly id: string;
  readonly type: string;
  /** The version the data was written in. */
  readonly schemaVersion: number;
  readonly streamName: string;
  readonly revision: number;
  readonly position: Position;
  readonly recordedAt: Date;
  readonly data: unknown;
  readonly metadata: unknown;
}

/**
 * The one way a stored event becomes the port's RecordedEvent, on every adapter: its data
 * upcast to the current schema version (pure, so every reader sees the same), its metadata
 * validated. The stored event itself is never rewritten.
 */
export function toRecordedEvent(stored: StoredEvent): RecordedEvent {
  return {
    id: stored.id,
    type: stored.type,
    schemaVersion: stored.schemaVersion,
    streamName: stored.streamName,
    revision: stored.revision,
    position: stored.position,
    recordedAt: stored.recordedAt.toISOString(),
    data: upcast(stored.type, stored.schemaVersion, stored.data),
    metadata: EventMetadata.parse(stored.metadata),
  };
}
