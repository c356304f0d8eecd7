import { randomUUID } from 'node:crypto';
import { comparePositions, type NewEvent, type Position, type RecordedEvent } from '@reelay/contracts';
import type { EventStore } from '../eventStore';

/** Something that follows the global log and reports what it sees, in the order it sees it. */
export type FollowLog = (from: Position, onEvents: (events: readonly RecordedEvent[]) => void) => { stop(): Promise<void> };

export interface TortureOptions {
  readonly writers: number;
  readonly appendsPerWriter: number;
  /** Streams the writers share (at random), so appends to one stream also contend. */
  readonly streams: number;
  readonly streamPrefix: string;
  /** Each writer pauses up to this long between its appends. */
  readonly maxPauseMs: number;
  /** How long to wait, once the writers are done, for the follower to see every event. */
  readonly settleMs: number;
}

/** What a follower saw against what was appended. A sound follower's report is all zeros. */
export interface TortureReport {
  readonly appended: number;
  readonly delivered: number;
  /** Appended events the follower never saw. */
  readonly missing: number;
  /** Events the follower saw more than once. */
  readonly duplicated: number;
  /** Streams whose events the follower saw out of revision order. */
  readonly streamsOutOfOrder: readonly string[];
  /** Whether the positions it saw ever went backwards. */
  readonly globalOrderBroken: boolean;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Many writers append concurrently (one to three events at a time, to random shared streams,
 * with random pauses — and, where the adapter has them, random delays inside their transactions)
 * while `follow` reads the global log; then compares what it saw with what was appended.
 */
export async function runTorture(store: EventStore, follow: FollowLog, from: Position, options: TortureOptions): Promise<TortureReport> {
  const seen: RecordedEvent[] = [];
  const follower = follow(from, (events) => {
    seen.push(...events.filter((event) => event.streamName.startsWith(options.streamPrefix)));
  });
  const appended = new Set<string>();
  try {
    await Promise.all(
      Array.from({ length: options.writers }, async (_, writer) => {
        for (let i = 0; i < options.appendsPerWriter; i += 1) {
          await pause(Math.random() * options.maxPauseMs);
          const stream = `${options.streamPrefix}${Math.floor(Math.random() * options.streams)}`;
          const events: NewEvent[] = Array.from({ length: 1 + Math.floor(Math.random() * 3) }, (_e, n) => ({
            id: randomUUID(),
            type: 'TortureEvent',
            data: { writer, append: i, n },
            metadata: { correlationId: `writer-${writer}`, causationId: `append-${i}`, userId: 'torture' },
          }));
          await store.appendToStream(stream, events, { expectedRevision: 'any' });
          for (const event of events) appended.add(event.id);
        }
      }),
    );
    const deadline = Date.now() + options.settleMs;
    while (Date.now() < deadline && !everySeen(appended, seen)) await pause(20);
  } finally {
    await follower.stop();
  }
  return report(appended, seen);
}

function everySeen(appended: ReadonlySet<string>, seen: readonly RecordedEvent[]): boolean {
  const ids = new Set(seen.map((event) => event.id));
  for (const id of appended) if (!ids.has(id)) return false;
  return true;
}

function report(appended: ReadonlySet<string>, seen: readonly RecordedEvent[]): TortureReport {
  const counts = new Map<string, number>();
  for (const event of seen) counts.set(event.id, (counts.get(event.id) ?? 0) + 1);
  const lastRevision = new Map<string, number>();
  const outOfOrder = new Set<string>();
  let globalOrderBroken = false;
  seen.forEach((event, i) => {
    const previous = seen[i - 1];
    if (previous && comparePositions(event.position, previous.position) <= 0) globalOrderBroken = true;
    if (event.revision <= (lastRevision.get(event.streamName) ?? -1)) outOfOrder.add(event.streamName);
    lastRevision.set(event.streamName, event.revision);
  });
  return {
    appended: appended.size,
    delivered: seen.length,
    missing: [...appended].filter((id) => !counts.has(id)).length,
    duplicated: [...counts.values()].filter((count) => count > 1).length,
    streamsOutOfOrder: [...outOfOrder].sort(),
    globalOrderBroken,
  };
}
