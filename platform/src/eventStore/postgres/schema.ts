import type pg from 'pg';

/** The channel appends notify on commit; subscribers LISTEN instead of polling. */
export const EVENTS_CHANNEL = 'reelay_events';

/**
 * The log's schema. `transaction_id` is the appending transaction's id: the global order is
 * (transaction_id, position), and a reader only takes rows below the oldest transaction still
 * running, so an event whose transaction commits late is never skipped (see `readAll`).
 */
const SCHEMA = `
create table if not exists event_streams (
  stream_name text primary key,
  revision bigint not null
);

create table if not exists event_log (
  position bigint generated always as identity primary key,
  transaction_id xid8 not null default pg_current_xact_id(),
  event_id uuid not null unique,
  stream_name text not null,
  revision bigint not null,
  type text not null,
  schema_version integer not null,
  data jsonb not null,
  metadata jsonb not null,
  recorded_at timestamptz not null default now(),
  unique (stream_name, revision)
);

create index if not exists event_log_global_order on event_log (transaction_id, position);

create or replace function event_log_is_append_only() returns trigger language plpgsql as $$
begin
  raise exception 'event_log is append-only: % is not allowed', tg_op using errcode = 'insufficient_privilege';
end $$;

drop trigger if exists event_log_append_only on event_log;
create trigger event_log_append_only before update or delete on event_log
  for each row execute function event_log_is_append_only();

drop trigger if exists event_log_no_truncate on event_log;
create trigger event_log_no_truncate before truncate on event_log
  for each statement execute function event_log_is_append_only();
`;

/** Creates the log's tables when missing; safe to run from several processes at once. */
export async function migrateEventStore(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('begin');
    await client.query(`select pg_advisory_xact_lock(hashtext('reelay.event_store.schema'))`);
    await client.query(SCHEMA);
    await client.query('commit');
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
