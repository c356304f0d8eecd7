import type { Position } from '@reelay/contracts';
import type { EventStore } from './eventStore';

/** How far a subscriber (a projection, the notifier, the job relay) is behind the log. */
export interface SubscriberLag {
  /** Events committed after its checkpoint, counted up to `LAG_COUNT_CAP`. */
  readonly eventsBehind: number;
  /** Seconds since the oldest of those events was recorded; 0 when it is caught up. */
  readonly secondsBehind: number;
}

/** The transaction that keeps global readers from taking committed events. */
export interface HoldingTransaction {
  /** The server process running it; null for a prepared (two-phase) transaction. */
  readonly pid: number | null;
  readonly ageSeconds: number;
  readonly database: string | null;
  readonly applicationName: string | null;
  /** e.g. `idle in transaction`: the usual culprit. */
  readonly state: string | null;
}

/** What, if anything, holds the global log back (Postgres only; nothing ever does on EventStoreDB). */
export interface LogHoldback {
  /** Committed events no global reader can take yet, because an older transaction is still open. */
  readonly heldBackEvents: number;
  /** The oldest transaction still open, when it holds at least one event back. */
  readonly holder: HoldingTransaction | null;
}

/** Health of the log for operators: the projector's /metrics and the audit CLI both read this. */
export interface LogDiagnostics {
  lag(checkpoint: Position): Promise<SubscriberLag>;
  holdback(): Promise<LogHoldback>;
}

/** Counting stops here: "more than ten thousand events behind" is all an alert needs to know. */
export const LAG_COUNT_CAP = 10_000;

export const NOTHING_HELD_BACK: LogHoldback = Object.freeze({ heldBackEvents: 0, holder: null });

/**
 * Lag measured through the port alone, for adapters whose reads never hold events back
 * (EventStoreDB): the events after `checkpoint` up to the cap, and the age of the first.
 */
export async function lagThroughReads(store: Pick<EventStore, 'readAll'>, checkpoint: Position, now: Date = new Date()): Promise<SubscriberLag> {
  const behind = await store.readAll({ from: checkpoint, limit: LAG_COUNT_CAP });
  const oldest = behind[0];
  return {
    eventsBehind: behind.length,
    secondsBehind: oldest ? Math.max(0, (now.getTime() - Date.parse(oldest.recordedAt)) / 1000) : 0,
  };
}
