import type pg from 'pg';
import { GENESIS_HASH, eventHash, sealStep } from './eventHash';
import { SEAL_COLUMNS, lastSeal, rowToSeal, type LogSeal, type SealRow } from './logSealer';

/** The first thing found wrong: where, and what differs. */
export interface LogProblem {
  readonly kind: 'content' | 'previous-hash' | 'missing-hash' | 'revision-gap' | 'seal' | 'missing-seal';
  /** `<transaction id>/<position>` of the event (or of the seal's end). */
  readonly position?: string;
  readonly streamName?: string;
  readonly revision?: number;
  readonly detail: string;
}

export interface LogVerification {
  readonly events: number;
  readonly streams: number;
  readonly seals: number;
  /** Events after the last seal: their chains were checked, their place in the log was not. */
  readonly unsealedEvents: number;
  readonly lastSeal?: LogSeal;
  readonly problem?: LogProblem;
}

export interface VerifyLogOptions {
  /** Called with each phase's expected count, then once per event checked. */
  readonly onPhase?: (phase: 'streams' | 'seals', total: number) => void;
  readonly onProgress?: (count: number) => void;
  readonly pageSize?: number;
}

interface ChainRow {
  position: string;
  transaction_id: string;
  event_id: string;
  stream_name: string;
  revision: string;
  type: string;
  schema_version: string;
  data: string;
  metadata: string;
  recorded_at_micros: string;
  previous_hash: Buffer | null;
  hash: Buffer | null;
}

const CHAIN_COLUMNS = `position::text, transaction_id::text, event_id::text, stream_name, revision::text, type, schema_version::text,
  data::text, metadata::text, ((extract(epoch from recorded_at) * 1000000)::bigint)::text as recorded_at_micros, previous_hash, hash`;

const hex = (buffer: Buffer | null) => (buffer ? buffer.toString('hex') : 'none');

/**
 * Recomputes the log's hashes from the stored rows (eventHash.ts), reading page by page so the
 * log never sits in memory: first every stream's chain in revision order, then the seals over
 * the global order. Stops at the first problem. Read-only.
 */
export async function verifyEventLog(pool: pg.Pool, options: VerifyLogOptions = {}): Promise<LogVerification> {
  const streams = await verifyStreamChains(pool, options);
  if (streams.problem) return { events: streams.events, streams: streams.streams, seals: 0, unsealedEvents: 0, problem: streams.problem };
  const seals = await verifySeals(pool, options);
  return {
    events: streams.events,
    streams: streams.streams,
    seals: seals.seals,
    unsealedEvents: Math.max(0, streams.events - (seals.lastSeal?.eventCount ?? 0)),
    lastSeal: seals.lastSeal,
    problem: seals.problem,
  };
}

async function verifyStreamChains(pool: pg.Pool, options: VerifyLogOptions) {
  const page = options.pageSize ?? 1000;
  const { rows: counted } = await pool.query<{ count: string }>('select count(*)::text as count from event_log');
  options.onPhase?.('streams', Number(counted[0]?.count ?? 0));
  let events = 0;
  let streams = 0;
  let stream: string | undefined;
  let expectedRevision = 0;
  let previous = GENESIS_HASH;
  let after: { stream: string; revision: string } | undefined;
  for (;;) {
    const { rows } = after
      ? await pool.query<ChainRow>(`select ${CHAIN_COLUMNS} from event_log where (stream_name, revision) > ($1, $2::bigint) order by stream_name, revision limit ${page}`, [after.stream, after.revision])
      : await pool.query<ChainRow>(`select ${CHAIN_COLUMNS} from event_log order by stream_name, revision limit ${page}`);
    for (const row of rows) {
      if (row.stream_name !== stream) {
        stream = row.stream_name;
        streams += 1;
        expectedRevision = 0;
        previous = GENESIS_HASH;
      }
      const problem = checkEvent(row, expectedRevision, previous);
      if (problem) return { events, streams, problem };
      previous = row.hash as Buffer;
      expectedRevision += 1;
      events += 1;
      options.onProgress?.(1);
    }
    const last = rows[rows.length - 1];
    if (!last || rows.length < page) return { events, streams };
    after = { stream: last.stream_name, revision: last.revision };
  }
}

/** What is wrong with one event, given what its stream so far says it must be. */
export function checkEvent(row: ChainRow, expectedRevision: number, previous: Buffer): LogProblem | undefined {
  const at = { position: `${row.transaction_id}/${row.position}`, streamName: row.stream_name, revision: Number(row.revision) };
  if (Number(row.revision) !== expectedRevision) {
    const missing = expectedRevision === Number(row.revision) - 1 ? `revision ${expectedRevision} is` : `revisions ${expectedRevision} to ${Number(row.revision) - 1} are`;
    return { ...at, kind: 'revision-gap', detail: `${missing} missing before it: events were removed from the stream` };
  }
  if (!row.hash || !row.previous_hash) return { ...at, kind: 'missing-hash', detail: 'it carries no hash: it was not written by reelay_append' };
  if (!row.previous_hash.equals(previous)) {
    return {
      ...at,
      kind: 'previous-hash',
      detail: `its previous_hash ${hex(row.previous_hash)} is not the hash of the event before it (${hex(previous)}): an earlier event of the stream was replaced`,
    };
  }
  const recomputed = eventHash(previous, {
    eventId: row.event_id,
    streamName: row.stream_name,
    revision: row.revision,
    type: row.type,
    schemaVersion: row.schema_version,
    data: row.data,
    metadata: row.metadata,
    recordedAtMicros: row.recorded_at_micros,
  });
  if (!recomputed.equals(row.hash)) {
    return {
      ...at,
      kind: 'content',
      detail: `its content does not match its hash (stored ${hex(row.hash)}, recomputed ${hex(recomputed)}): its id, type, schema version, data, metadata, stream, revision or recorded_at was changed after it was appended`,
    };
  }
  return undefined;
}

const tuple = (position: { commit: string; prepare: string }) => [BigInt(position.commit), BigInt(position.prepare)] as const;
const beyond = (event: readonly [bigint, bigint], end: readonly [bigint, bigint]) => event[0] > end[0] || (event[0] === end[0] && event[1] > end[1]);

async function verifySeals(pool: pg.Pool, options: VerifyLogOptions): Promise<{ seals: number; lastSeal?: LogSeal; problem?: LogProblem }> {
  const page = options.pageSize ?? 1000;
  const final = await lastSeal(pool);
  if (!final) return { seals: 0 };
  options.onPhase?.('seals', final.eventCount);
  const seals = sealsInOrder(pool, page);
  let next = await seals.next();
  let running = GENESIS_HASH;
  let count = 0;
  let checked = 0;
  let previousEnd = 'the start';
  // Compares the running hash with the seal whose end the read has just reached or passed.
  const check = (seal: LogSeal): LogProblem | undefined => {
    if (seal.sealNumber !== checked + 1) return { kind: 'missing-seal', detail: `seal ${checked + 1} is missing (the next is ${seal.sealNumber})` };
    if (seal.eventCount === count && seal.chainHash === running.toString('hex')) return undefined;
    const position = `${seal.upTo.commit}/${seal.upTo.prepare}`;
    const counts = seal.eventCount === count ? `the same ${count} events` : `${count} events where it sealed ${seal.eventCount}`;
    return {
      kind: 'seal',
      position,
      detail: `seal ${seal.sealNumber} (up to ${position}) does not match the log: it holds ${counts}, and its running hash differs; an event after ${previousEnd} and at or before ${position} was removed, inserted, moved or rewritten after it was sealed`,
    };
  };
  let after = { commit: '0', prepare: '0' };
  const end = final.upTo;
  for (;;) {
    const { rows } = await pool.query<{ transaction_id: string; position: string; hash: Buffer | null }>(
      `select transaction_id::text, position::text, hash from event_log
        where (transaction_id, position) > ($1::xid8, $2::bigint) and (transaction_id, position) <= ($3::xid8, $4::bigint)
        order by transaction_id, position limit ${page}`,
      [after.commit, after.prepare, end.commit, end.prepare],
    );
    for (const row of rows) {
      const at = tuple({ commit: row.transaction_id, prepare: row.position });
      // Seals whose end this event is past: an event at their end is missing.
      while (!next.done && beyond(at, tuple(next.value.upTo))) {
        const problem = check(next.value);
        if (problem) return { seals: checked, lastSeal: final, problem };
        ({ checked, previousEnd } = passed(next.value));
        next = await seals.next();
      }
      running = sealStep(running, { hash: row.hash ?? Buffer.alloc(0), transactionId: row.transaction_id, position: row.position });
      count += 1;
      options.onProgress?.(1);
      after = { commit: row.transaction_id, prepare: row.position };
      while (!next.done && !beyond(tuple(next.value.upTo), at)) {
        const problem = check(next.value);
        if (problem) return { seals: checked, lastSeal: final, problem };
        ({ checked, previousEnd } = passed(next.value));
        next = await seals.next();
      }
    }
    if (rows.length < page) break;
  }
  while (!next.done) {
    const problem = check(next.value);
    if (problem) return { seals: checked, lastSeal: final, problem };
    ({ checked, previousEnd } = passed(next.value));
    next = await seals.next();
  }
  return { seals: checked, lastSeal: final };
}

const passed = (seal: LogSeal) => ({ checked: seal.sealNumber, previousEnd: `seal ${seal.sealNumber} (${seal.upTo.commit}/${seal.upTo.prepare})` });

async function* sealsInOrder(pool: pg.Pool, page: number): AsyncGenerator<LogSeal> {
  let after = 0;
  for (;;) {
    const { rows } = await pool.query<SealRow>(`select ${SEAL_COLUMNS} from event_log_seal where seal_number > $1 order by seal_number limit ${page}`, [after]);
    for (const row of rows) yield rowToSeal(row);
    const last = rows[rows.length - 1];
    if (!last || rows.length < page) return;
    after = Number(last.seal_number);
  }
}
