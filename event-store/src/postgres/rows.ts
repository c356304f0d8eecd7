import type { RecordedEvent } from '@reelay/contracts';
import { toRecordedEvent } from '../recordedEvent';

/** One row of `event_log` as `pg` returns it (xid8 as a string, bigint as number). */
export interface EventRow {
  position: number | string;
  transaction_id: string;
  event_id: string;
  stream_name: string;
  revision: number;
  type: string;
  schema_version: number;
  data: unknown;
  metadata: unknown;
  recorded_at: Date;
}

export const EVENT_COLUMNS =
  'position, transaction_id, event_id, stream_name, revision, type, schema_version, data, metadata, recorded_at';

/** A stored row as the port's RecordedEvent, its data upcast to the current schema version. */
export function rowToRecordedEvent(row: EventRow): RecordedEvent {
  return toRecordedEvent({
    id: row.event_id,
    type: row.type,
    schemaVersion: row.schema_version,
    streamName: row.stream_name,
    revision: Number(row.revision),
    position: { commit: String(row.transaction_id), prepare: String(row.position) },
    recordedAt: row.recorded_at,
    data: row.data,
    metadata: row.metadata,
  });
}
