import { createHash } from 'node:crypto';
import type pg from 'pg';
import { LOG_HASH_SCHEMA } from './logHashSchema';

/** The channel the store notifies after each append's commit; subscribers LISTEN instead of polling. */
export const EVENTS_CHANNEL = 'reelay_events';

/** The first key of the two-key advisory locks on streams: a key space of the event store's own. */
export const STREAM_LOCK_SPACE = 0x52454c59; // "RELY"

/**
 * The log's schema. `transaction_id` is the appending transaction's id: the global order is
 * (transaction_id, position), and a reader only takes rows below the oldest transaction still
 * running, so an event whose transaction commits late is never skipped (see `readAll`). A
 * stream's current revision is its newest row's (the unique index on (stream_name, revision)
 * answers that); the first schema kept it in a table `event_streams` as well, which nothing reads now: dropped.
 */

const SCHEMA = `
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

drop table if exists event_streams;

-- The earlier append of exactly these events (same stream, types, versions, data, in order): its
-- result; nothing when none of the ids is stored; RE002 when some are, with other content.
create or replace function reelay_earlier_append(p_stream text, p_ids uuid[], p_types text[], p_versions int[], p_data jsonb[])
returns table (out_revision bigint, out_transaction_id xid8, out_position bigint)
language plpgsql stable as $fn$
declare
  v_found int;
  v_same int;
  v_offsets int;
begin
  select count(*),
         count(*) filter (where l.stream_name = p_stream and l.type = e.type and l.schema_version = e.version and l.data = e.data),
         count(distinct l.revision - e.ord)
    into v_found, v_same, v_offsets
    from event_log l
    join unnest(p_ids, p_types, p_versions, p_data) with ordinality as e(id, type, version, data, ord) on e.id = l.event_id
   where l.event_id = any(p_ids);
  if v_found = 0 then
    return;
  end if;
  if v_found <> cardinality(p_ids) or v_same <> v_found or v_offsets <> 1 then
    raise exception 'event ids of this append were appended before with other content' using errcode = 'RE002';
  end if;
  return query select l.revision, l.transaction_id, l.position from event_log l where l.event_id = any(p_ids) order by l.revision desc limit 1;
end $fn$;

-- One append, whole, in one round trip (see appendTransaction.ts). p_expected: 'any',
-- 'no_stream', 'stream_exists' or a revision. Errors: RE001 wrong expected version (detail: the
-- actual revision, -1 for none), RE002 an event id known with other content. It does not NOTIFY:
-- a transaction that notifies takes a cluster-wide lock at commit, which would serialise every
-- append's commit; the store notifies after commit instead (commitNotifier.ts).
create or replace function reelay_append(
  p_stream text, p_expected text, p_ids uuid[], p_types text[], p_versions int[], p_data jsonb[], p_metadata jsonb[]
) returns table (out_revision bigint, out_transaction_id xid8, out_position bigint)
language plpgsql as $fn$
declare
  v_current bigint;
  v_count int := cardinality(p_ids);
  v_inserted int;
  v_revision bigint;
  v_transaction_id xid8;
  v_position bigint;
  v_now timestamptz := now();
  v_previous bytea;
  v_previous_hashes bytea[];
  v_hashes bytea[];
begin
  -- The stream's lock before the first write: that write gives the transaction its id, and the
  -- global order is by transaction id, so an append that won the lock later must not hold an
  -- older id. An advisory lock needs no transaction id (a row lock would take one).
  perform pg_advisory_xact_lock(${STREAM_LOCK_SPACE}, hashtext(p_stream));
  -- The stream's last event under its lock: its revision, and its hash to chain the new ones to.
  select l.revision, l.hash into v_current, v_previous from event_log l where l.stream_name = p_stream order by l.revision desc limit 1;
  if not found then
    v_current := -1;
    v_previous := decode(repeat('00', 32), 'hex');
  end if;

  if not (case p_expected
            when 'any' then true
            when 'no_stream' then v_current < 0
            when 'stream_exists' then v_current >= 0
            else v_current = p_expected::bigint end) then
    -- A retry of an append that did happen is answered with its result, whatever it expected.
    return query select * from reelay_earlier_append(p_stream, p_ids, p_types, p_versions, p_data);
    if found then
      return;
    end if;
    raise exception 'stream % expected at % but is at %', p_stream, p_expected, v_current using errcode = 'RE001', detail = v_current::text;
  end if;

  -- Each event's hash chains to the one before it (logHashSchema.ts). Nearly every append is of
  -- one event: that one is written by a single statement with its hash computed in it, as each
  -- plpgsql statement more costs every append's transaction a little.
  if v_count = 1 then
    insert into event_log (event_id, stream_name, revision, type, schema_version, data, metadata, recorded_at, previous_hash, hash)
      values (p_ids[1], p_stream, v_current + 1, p_types[1], p_versions[1], p_data[1], p_metadata[1], v_now, v_previous,
              reelay_event_hash(v_previous, p_ids[1], p_stream, v_current + 1, p_types[1], p_versions[1], p_data[1], p_metadata[1], v_now))
    on conflict (event_id) do nothing
    returning revision, transaction_id, position into v_revision, v_transaction_id, v_position;
    if found then
      return query select v_revision, v_transaction_id, v_position;
      return;
    end if;
    v_inserted := 0;
  else
    for i in 1 .. v_count loop
      v_previous_hashes[i] := v_previous;
      v_previous := reelay_event_hash(v_previous, p_ids[i], p_stream, v_current + i, p_types[i], p_versions[i], p_data[i], p_metadata[i], v_now);
      v_hashes[i] := v_previous;
    end loop;
    -- Optimistic: known ids are the rare case, looked at only when the insert meets them.
    with inserted as (
      insert into event_log (event_id, stream_name, revision, type, schema_version, data, metadata, recorded_at, previous_hash, hash)
        select e.id, p_stream, v_current + e.ord, e.type, e.version, e.data, e.metadata, v_now, e.previous_hash, e.hash
          from unnest(p_ids, p_types, p_versions, p_data, p_metadata, v_previous_hashes, v_hashes)
               with ordinality as e(id, type, version, data, metadata, previous_hash, hash, ord)
         order by e.ord
      on conflict (event_id) do nothing
      returning revision, transaction_id, position)
    select count(*)::int, max(revision), (array_agg(transaction_id))[1], max(position)
      into v_inserted, v_revision, v_transaction_id, v_position
      from inserted;
  end if;
  if v_inserted = v_count then
    return query select v_revision, v_transaction_id, v_position;
    return;
  end if;
  if v_inserted = 0 then
    return query select * from reelay_earlier_append(p_stream, p_ids, p_types, p_versions, p_data);
    if found then
      return;
    end if;
  end if;
  raise exception 'event ids of this append were appended before with other content' using errcode = 'RE002';
end $fn$;

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

/**
 * The version of the log's schema (SCHEMA and LOG_HASH_SCHEMA together): raise it with any change
 * to either, so that a release's processes migrate a log an older release made.
 */
export const EVENT_STORE_SCHEMA_VERSION = 4;
/** Catches a change to the DDL that forgot to raise the version: it is migrated all the same. */
const DDL_SHA256 = createHash('sha256').update(SCHEMA).update(LOG_HASH_SCHEMA).digest('hex');

const SCHEMA_RECORD = `
create table if not exists event_store_schema (
  singleton boolean primary key default true check (singleton),
  version integer not null,
  ddl_sha256 text not null,
  migrated_at timestamptz not null default now()
)`;

/**
 * Creates or updates the log's tables, functions and triggers, unless the log is already at this
 * schema (or a newer release's). Every service opens the store at start, and the DDL takes an
 * ACCESS EXCLUSIVE lock on `event_log` (its triggers): run on a live log each time, it stalled
 * appends and reads, and deadlocked with a seal in flight. So the schema's version is recorded and
 * checked first, with a plain read. Safe to run from several processes at once.
 */
export async function migrateEventStore(pool: pg.Pool): Promise<void> {
  if (isCurrent(await recordedSchema(pool))) return;
  const client = await pool.connect();
  try {
    await client.query('begin');
    await client.query(`select pg_advisory_xact_lock(hashtext('reelay.event_store.schema'))`);
    await client.query(SCHEMA_RECORD);
    // Another process may have migrated while this one waited for the lock.
    if (!isCurrent(await recordedSchema(client))) {
      await client.query(SCHEMA);
      await client.query(LOG_HASH_SCHEMA);
      await client.query(
        `insert into event_store_schema (version, ddl_sha256) values ($1, $2)
         on conflict (singleton) do update set version = excluded.version, ddl_sha256 = excluded.ddl_sha256, migrated_at = now()`,
        [EVENT_STORE_SCHEMA_VERSION, DDL_SHA256],
      );
    }
    await client.query('commit');
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

interface RecordedSchema {
  readonly version: number;
  readonly ddl_sha256: string;
}

async function recordedSchema(db: pg.Pool | pg.PoolClient): Promise<RecordedSchema | undefined> {
  try {
    const { rows } = await db.query<RecordedSchema>('select version, ddl_sha256 from event_store_schema');
    return rows[0];
  } catch (error) {
    if ((error as { code?: string }).code === '42P01') return undefined; // a log from before the record, or none yet
    throw error;
  }
}

/** This release's schema, or a newer release's (whose functions this one must not replace with older ones). */
function isCurrent(recorded: RecordedSchema | undefined): boolean {
  if (!recorded) return false;
  return recorded.version > EVENT_STORE_SCHEMA_VERSION || (recorded.version === EVENT_STORE_SCHEMA_VERSION && recorded.ddl_sha256 === DDL_SHA256);
}
