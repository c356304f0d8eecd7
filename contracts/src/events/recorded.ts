import { z } from 'zod';
import type { EventMetadata } from './metadata';

/**
 * A place in the global log. It mirrors EventStoreDB's `{commit, prepare}` so that one checkpoint
 * format serves both adapters: on Postgres `commit` is the appending transaction's id and
 * `prepare` the row's sequence number. Both are decimal strings because they are 64-bit.
 */
export const Position = z.object({
  commit: z.string().regex(/^\d+$/),
  prepare: z.string().regex(/^\d+$/),
});
export type Position = z.infer<typeof Position>;

/** Before the first event of the log. */
export const START: Position = Object.freeze({ commit: '0', prepare: '0' });

export function comparePositions(a: Position, b: Position): number {
  const commit = BigInt(a.commit) - BigInt(b.commit);
  if (commit !== 0n) return commit < 0n ? -1 : 1;
  const prepare = BigInt(a.prepare) - BigInt(b.prepare);
  return prepare === 0n ? 0 : prepare < 0n ? -1 : 1;
}

/** An event to append: its id is chosen by the writer, which makes a retried append idempotent. */
export interface NewEvent<T extends string = string, D = unknown> {
  readonly id: string;
  readonly type: T;
  readonly data: D;
  readonly metadata: EventMetadata;
  /**
   * The schema version `data` is written in; the type's current version when absent. Only a
   * writer that still speaks an older version (a copy of the previous release during a rolling
   * deploy) sets it; readers upcast such events like any other old event.
   */
  readonly schemaVersion?: number;
}

/** An event as the log holds it. `data` is already upcast to the current schema version. */
export interface RecordedEvent<T extends string = string, D = unknown> {
  readonly id: string;
  readonly type: T;
  /** The version the event was written with (stored, never changed); `data` is at the current one. */
  readonly schemaVersion: number;
  readonly streamName: string;
  /** 0 for a stream's first event, then 1, 2, … */
  readonly revision: number;
  readonly position: Position;
  readonly recordedAt: string;
  readonly data: D;
  readonly metadata: EventMetadata;
}
