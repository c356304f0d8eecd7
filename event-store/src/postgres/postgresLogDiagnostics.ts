import type pg from 'pg';
import type { Position } from '@reelay/contracts';
import { LAG_COUNT_CAP, type LogDiagnostics, type LogHoldback, type SubscriberLag } from '../logDiagnostics';

/**
 * The log's health on Postgres. Lag counts every committed event after the checkpoint, the
 * ones held back included, so a stuck transaction shows as lag that grows instead of a
 * subscriber that merely looks idle. The holder is the session with the oldest transaction id
 * still running anywhere in the cluster, which is what `pg_snapshot_xmin` stops at; seeing
 * other roles' sessions needs `pg_read_all_stats` (or a superuser).
 */
export function postgresLogDiagnostics(pool: pg.Pool): LogDiagnostics {
  return {
    async lag(checkpoint: Position): Promise<SubscriberLag> {
      const result = await pool.query<{ events: number; seconds: number | null }>(
        `select count(*)::int as events, extract(epoch from clock_timestamp() - min(recorded_at))::float8 as seconds
           from (select recorded_at from event_log
                  where (transaction_id, position) > ($1::xid8, $2::bigint)
                  order by transaction_id, position
                  limit $3) as behind`,
        [checkpoint.commit, checkpoint.prepare, LAG_COUNT_CAP],
      );
      const row = result.rows[0];
      return { eventsBehind: row?.events ?? 0, secondsBehind: Math.max(0, row?.seconds ?? 0) };
    },

    async holdback(): Promise<LogHoldback> {
      const result = await pool.query<{
        held_back: number;
        pid: number | null;
        age_seconds: number | null;
        database: string | null;
        application_name: string | null;
        state: string | null;
      }>(
        `with horizon as (select pg_snapshot_xmin(pg_current_snapshot()) as xmin),
              held as (select count(*)::int as held_back from event_log, horizon where transaction_id >= horizon.xmin),
              open_transactions as (
                select pid, datname as database, application_name, state, xact_start as since, backend_xid as xid
                  from pg_stat_activity where backend_xid is not null
                union all
                select null, database, 'prepared transaction ' || gid, 'prepared', prepared, transaction
                  from pg_prepared_xacts)
         select held.held_back, oldest.pid, extract(epoch from clock_timestamp() - oldest.since)::float8 as age_seconds,
                oldest.database, oldest.application_name, oldest.state
           from held
           left join lateral (select * from open_transactions order by age(xid) desc limit 1) as oldest on held.held_back > 0`,
      );
      const row = result.rows[0];
      if (!row || row.held_back === 0) return { heldBackEvents: 0, holder: null };
      return {
        heldBackEvents: row.held_back,
        holder:
          row.age_seconds === null
            ? null
            : { pid: row.pid, ageSeconds: Math.max(0, row.age_seconds), database: row.database, applicationName: row.application_name, state: row.state },
      };
    },
  };
}
