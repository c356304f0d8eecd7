import type pg from 'pg';
import type { Position } from '@reelay/contracts';
import { GENESIS_HASH, sealStep } from './eventHash';

/**
 * A seal: the running hash (`sealStep`) over every event of the log in global order, from the
 * first up to `upTo`. Each seal continues the one before it. Stream chains catch an event that
 * was changed, or removed from or inserted into the middle of its stream; a seal also catches a
 * stream's last event removed, a whole stream removed, an event inserted with a position of its
 * own, and a stream rewritten with recomputed hashes, anywhere at or before `upTo`.
 */
export interface LogSeal {
  readonly sealNumber: number;
  readonly upTo: Position;
  /** Events in the log from the start up to `upTo`. */
  readonly eventCount: number;
  /** Hex. Kept outside the database too, it also catches a rewrite of the seals themselves. */
  readonly chainHash: string;
  readonly sealedAt: string;
}

export interface SealRow {
  seal_number: number | string;
  up_to_transaction_id: string;
  up_to_position: string;
  event_count: number | string;
  chain_hash: Buffer;
  sealed_at: Date;
}

export const SEAL_COLUMNS = 'seal_number, up_to_transaction_id::text, up_to_position::text, event_count, chain_hash, sealed_at';

export function rowToSeal(row: SealRow): LogSeal {
  return {
    sealNumber: Number(row.seal_number),
    upTo: { commit: row.up_to_transaction_id, prepare: row.up_to_position },
    eventCount: Number(row.event_count),
    chainHash: row.chain_hash.toString('hex'),
    sealedAt: row.sealed_at.toISOString(),
  };
}

const PAGE = 2000;
const UNIQUE_VIOLATION = '23505';

/**
 * Extends the seals over the events committed since the last one, reading the log in global
 * order as a subscriber does (only transactions below the snapshot's xmin, so no event can later
 * appear before the new seal). Returns the new seal, or undefined when there was nothing new or
 * another sealer wrote the same seal number first. It trusts the stored hashes: a change made
 * before an event is sealed is caught by its stream chain, not by the seal.
 */
export async function sealEventLog(pool: pg.Pool): Promise<LogSeal | undefined> {
  const last = await lastSeal(pool);
  let running = last ? Buffer.from(last.chainHash, 'hex') : GENESIS_HASH;
  let count = last?.eventCount ?? 0;
  let after = last?.upTo ?? { commit: '0', prepare: '0' };
  for (;;) {
    const { rows } = await pool.query<{ transaction_id: string; position: string; hash: Buffer | null }>(
      `select transaction_id::text, position::text, hash from event_log
        where (transaction_id, position) > ($1::xid8, $2::bigint)
          and transaction_id < pg_snapshot_xmin(pg_current_snapshot())
        order by transaction_id, position limit ${PAGE}`,
      [after.commit, after.prepare],
    );
    for (const row of rows) {
      running = sealStep(running, { hash: row.hash ?? Buffer.alloc(0), transactionId: row.transaction_id, position: row.position });
      count += 1;
      after = { commit: row.transaction_id, prepare: row.position };
    }
    if (rows.length < PAGE) break;
  }
  if (count === (last?.eventCount ?? 0)) return undefined;
  try {
    const { rows } = await pool.query<SealRow>(
      `insert into event_log_seal (seal_number, up_to_transaction_id, up_to_position, event_count, chain_hash)
       values ($1, $2::xid8, $3, $4, $5) returning ${SEAL_COLUMNS}`,
      [(last?.sealNumber ?? 0) + 1, after.commit, after.prepare, count, running],
    );
    return rows[0] && rowToSeal(rows[0]);
  } catch (error) {
    if ((error as { code?: string }).code === UNIQUE_VIOLATION) return undefined;
    throw error;
  }
}

export async function lastSeal(pool: pg.Pool): Promise<LogSeal | undefined> {
  const { rows } = await pool.query<SealRow>(`select ${SEAL_COLUMNS} from event_log_seal order by seal_number desc limit 1`);
  return rows[0] && rowToSeal(rows[0]);
}
