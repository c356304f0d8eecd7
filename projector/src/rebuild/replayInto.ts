import type { Knex } from 'knex';
import { VIDEO_EVENT_TYPES, comparePositions, type Position, type RecordedEvent } from '@reelay/contracts';
import type { PersonalDataVault } from '@reelay/platform';
import { inCheckpointedTransaction, loadCheckpoint, type EventStore } from '@reelay/event-store';
import { applyVideoEvents } from '../videoInfo/projectBatch';

/** How far a replay has got, for progress bars and rates. */
export interface ReplayProgress {
  /** Video events applied (or found already applied) so far by this call. */
  readonly events: number;
  readonly position: Position;
}

export interface ReplayIntoOptions {
  readonly knex: Knex;
  readonly store: Pick<EventStore, 'readAll' | 'readStream'>;
  /** The version table (or shadow table) to fill; never the served view. */
  readonly table: string;
  /** The checkpoint this replay keeps, moved in the same transaction as each page's rows. */
  readonly checkpoint: string;
  /** Stop at this position (inclusive) instead of at the end of what is readable now. */
  readonly until?: Position;
  /** Events per page and transaction. */
  readonly pageSize?: number;
  /** Runs first in each page's transaction (a lease's fence). */
  readonly fence?: (trx: Knex.Transaction) => Promise<void>;
  readonly onProgress?: (progress: ReplayProgress) => void;
  /** Opens sealed personal fields before they are folded (see openPersonalData). */
  readonly personalData?: PersonalDataVault;
}

export const DEFAULT_REPLAY_PAGE_SIZE = 2000;

/** The page's events up to `until` (all of them without one), and whether it reached `until`. */
function cutAt(events: readonly RecordedEvent[], until: Position | undefined): { kept: readonly RecordedEvent[]; reached: boolean } {
  if (!until) return { kept: events, reached: false };
  const kept = events.filter((event) => comparePositions(event.position, until) <= 0);
  return { kept, reached: kept.length < events.length };
}

/**
 * Replays the global log into `table` from its checkpoint, page by page, each page in one
 * transaction with the checkpoint (so a replay that dies resumes where it stopped, and a page
 * applied twice changes nothing: the fold only takes a row's next revision). It stops at `until`
 * or at the end of what the log lets readers take now. The next page is read while the current
 * one commits. Resolves with the checkpoint reached and the events applied.
 */
export async function replayInto(options: ReplayIntoOptions): Promise<ReplayProgress> {
  const { knex, store, table, checkpoint } = options;
  const limit = options.pageSize ?? DEFAULT_REPLAY_PAGE_SIZE;
  const read = (from: Position) => store.readAll({ from, limit, eventTypes: VIDEO_EVENT_TYPES });
  let position = await loadCheckpoint(knex, checkpoint);
  let applied = 0;
  if (options.until && comparePositions(position, options.until) >= 0) return { events: 0, position };
  let page = await read(position);
  for (;;) {
    const { kept, reached } = cutAt(page, options.until);
    const last = kept[kept.length - 1];
    if (!last) break;
    const to = last.position;
    const done = reached || page.length < limit || (options.until !== undefined && comparePositions(to, options.until) >= 0);
    // Read ahead while this page commits; the read does not depend on the write.
    const next = done ? undefined : read(to);
    next?.catch(() => undefined);
    await inCheckpointedTransaction(knex, checkpoint, position, to, (trx) => applyVideoEvents(trx, store, { table, notify: false, until: options.until, personalData: options.personalData }, kept), options.fence);
    position = to;
    applied += kept.length;
    options.onProgress?.({ events: applied, position });
    if (!next) break;
    page = await next;
  }
  return { events: applied, position };
}

/**
 * The same replay inside a transaction the caller holds (a switch, a comparison): pages are
 * applied in `trx`, and the checkpoint is not kept — the caller decides what position it records.
 */
export async function replayWithin(
  trx: Knex.Transaction,
  store: Pick<EventStore, 'readAll' | 'readStream'>,
  table: string,
  from: Position,
  until?: Position,
  pageSize = DEFAULT_REPLAY_PAGE_SIZE,
  personalData?: PersonalDataVault,
): Promise<ReplayProgress> {
  let position = from;
  let applied = 0;
  for (;;) {
    if (until && comparePositions(position, until) >= 0) break;
    const page = await store.readAll({ from: position, limit: pageSize, eventTypes: VIDEO_EVENT_TYPES });
    const { kept, reached } = cutAt(page, until);
    const last = kept[kept.length - 1];
    if (!last) break;
    await applyVideoEvents(trx, store, { table, notify: false, until, personalData }, kept);
    position = last.position;
    applied += kept.length;
    if (reached || page.length < pageSize) break;
  }
  return { events: applied, position };
}
