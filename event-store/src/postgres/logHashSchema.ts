/**
 * The tamper-evident log (see eventHash.ts for the hash itself, logVerifier.ts for the check):
 * - `event_log.hash` / `previous_hash`: each event's hash, chained per stream, set by
 *   `reelay_append` under the stream's lock (schema.ts); an existing log is backfilled here once,
 *   stream by stream in revision order, with the append-only trigger disabled only inside this
 *   migration's transaction. The columns stay nullable so a plain copy of the table (the
 *   benchmark's raw baseline) takes rows without them; a row without a hash fails verification.
 * - `event_log_seal`: running hashes over the log in global order up to a position, written by
 *   `sealEventLog` (logSealer.ts), a reader that follows the log in order. They catch what stream
 *   chains cannot: a removed last event of a stream, or an inserted event, below the last seal.
 */
export const LOG_HASH_SCHEMA = `
-- eventHash.ts computes the same; change both or neither (and the version tag with them). One SQL
-- expression, so the planner inlines it into the statement that calls it. Ids, numbers and the
-- time are ASCII; the other fields are measured in UTF-8 bytes whatever the server's encoding.
create or replace function reelay_event_hash(
  p_previous bytea, p_id uuid, p_stream text, p_revision bigint, p_type text, p_version int, p_data jsonb, p_metadata jsonb, p_recorded_at timestamptz
) returns bytea
language sql stable parallel safe as $$
  select sha256(p_previous || convert_to(format('15:reelay-event-v1%s:%s%s:%s%s:%s%s:%s%s:%s%s:%s%s:%s%s:%s',
    length(p_id::text), p_id,
    octet_length(convert_to(p_stream, 'UTF8')), p_stream,
    length(p_revision::text), p_revision,
    octet_length(convert_to(p_type, 'UTF8')), p_type,
    length(p_version::text), p_version,
    octet_length(convert_to(p_data::text, 'UTF8')), p_data,
    octet_length(convert_to(p_metadata::text, 'UTF8')), p_metadata,
    length(((extract(epoch from p_recorded_at) * 1000000)::bigint)::text), (extract(epoch from p_recorded_at) * 1000000)::bigint), 'UTF8'))
$$;

create table if not exists event_log_seal (
  seal_number bigint primary key,
  up_to_transaction_id xid8 not null,
  up_to_position bigint not null,
  event_count bigint not null,
  chain_hash bytea not null,
  sealed_at timestamptz not null default now()
);

drop trigger if exists event_log_seal_append_only on event_log_seal;
create trigger event_log_seal_append_only before update or delete on event_log_seal
  for each row execute function event_log_is_append_only();

do $migrate$
declare
  r record;
  v_stream text;
  v_previous bytea;
  v_hash bytea;
begin
  if exists (select 1 from information_schema.columns
              where table_schema = current_schema() and table_name = 'event_log' and column_name = 'hash') then
    return;
  end if;
  alter table event_log add column previous_hash bytea, add column hash bytea;
  alter table event_log disable trigger user;
  for r in select position, event_id, stream_name, revision, type, schema_version, data, metadata, recorded_at
             from event_log order by stream_name, revision loop
    if v_stream is distinct from r.stream_name then
      v_stream := r.stream_name;
      v_previous := decode(repeat('00', 32), 'hex');
    end if;
    v_hash := reelay_event_hash(v_previous, r.event_id, r.stream_name, r.revision, r.type, r.schema_version, r.data, r.metadata, r.recorded_at);
    update event_log set previous_hash = v_previous, hash = v_hash where position = r.position;
    v_previous := v_hash;
  end loop;
  alter table event_log enable trigger user;
end $migrate$;
`;
