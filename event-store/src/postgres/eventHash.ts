import { createHash } from 'node:crypto';

/**
 * The tamper-evident log's hashes, computed here exactly as `reelay_append` computes them in SQL
 * (logHashSchema.ts), so a verifier depends on nothing stored in the database but the rows.
 *
 * An event's hash is `sha256(previous || canonical)`: `previous` is the hash of the event before
 * it in its stream (32 zero bytes for revision 0), `canonical` the UTF-8 bytes of its stored
 * content, each field length-prefixed (`<bytes>:<text>`) so no two events share a form:
 * the version tag `reelay-event-v1`, event id, stream name, revision, type, schema version, data
 * and metadata as Postgres prints the stored jsonb, and `recorded_at` in microseconds since
 * 1970. It covers what is stored (ciphertext where a field is encrypted), never a decoded form.
 * The global position is not in it (it is assigned by the insert); the seals cover the order.
 */

export const HASH_VERSION = 'reelay-event-v1';
export const HASH_BYTES = 32;
/** The "previous hash" of a stream's first event, and the running hash before the first seal. */
export const GENESIS_HASH: Buffer = Buffer.alloc(HASH_BYTES);

/** An event's stored content, every field as its text (what `select …::text` returns). */
export interface HashedContent {
  readonly eventId: string;
  readonly streamName: string;
  readonly revision: string;
  readonly type: string;
  readonly schemaVersion: string;
  /** The stored jsonb as Postgres prints it (`data::text`). */
  readonly data: string;
  readonly metadata: string;
  /** `recorded_at` in whole microseconds since 1970-01-01 UTC, as a decimal. */
  readonly recordedAtMicros: string;
}

const field = (text: string) => `${Buffer.byteLength(text, 'utf8')}:${text}`;

/** The canonical text an event's hash is taken over. */
export function canonicalEventText(content: HashedContent): string {
  return [
    HASH_VERSION,
    content.eventId,
    content.streamName,
    content.revision,
    content.type,
    content.schemaVersion,
    content.data,
    content.metadata,
    content.recordedAtMicros,
  ]
    .map(field)
    .join('');
}

export function eventHash(previous: Buffer, content: HashedContent): Buffer {
  return createHash('sha256').update(previous).update(canonicalEventText(content), 'utf8').digest();
}

/**
 * One step of a seal's running hash over the log in global order: the event's stored hash and
 * its place (`<transaction id>/<position>`), so removing, inserting, reordering or renumbering
 * an event below a seal changes the seal.
 */
export function sealStep(running: Buffer, event: { readonly hash: Buffer; readonly transactionId: string; readonly position: string }): Buffer {
  return createHash('sha256').update(running).update(event.hash).update(field(`${event.transactionId}/${event.position}`), 'utf8').digest();
}
