import { describe, it, expect, beforeEach, afterEach } from '@jest/globals';
import { createTestEventStore } from '@reelay/testing';
import { EVENT_STORE_SCHEMA_VERSION, migrateEventStore } from './schema';

type TestStore = Awaited<ReturnType<typeof createTestEventStore>>;

/** The oids of the log's triggers: dropping and creating a trigger gives it a new one. */
async function triggerOids(t: TestStore): Promise<string[]> {
  const { rows } = await t.pool.query<{ oid: string }>(
    `select oid::text from pg_trigger where tgrelid in ('event_log'::regclass, 'event_log_seal'::regclass) and not tgisinternal order by tgname`,
  );
  return rows.map((row) => row.oid);
}

describe('the event log schema migration', () => {
  let t: TestStore;
  beforeEach(async () => {
    t = await createTestEventStore();
  });
  afterEach(async () => {
    await t.dispose();
  });

  it('records the schema version, and leaves a current log untouched on the next start', async () => {
    const { rows } = await t.pool.query('select version from event_store_schema');
    expect(rows).toEqual([{ version: EVENT_STORE_SCHEMA_VERSION }]);
    const before = await triggerOids(t);
    expect(before).toHaveLength(3);

    await migrateEventStore(t.pool);
    expect(await triggerOids(t)).toEqual(before);
  });

  it('does not wait for the log’s readers and writers when the log is current', async () => {
    // A transaction that reads the log: DDL on its triggers would wait for it to end.
    const reader = await t.pool.connect();
    try {
      await reader.query('begin');
      await reader.query('select count(*) from event_log');
      const migrated = migrateEventStore(t.pool).then(() => 'migrated');
      const waited = new Promise((resolve) => setTimeout(resolve, 5000, 'still waiting after 5 s'));
      expect(await Promise.race([migrated, waited])).toBe('migrated');
    } finally {
      await reader.query('rollback');
      reader.release();
    }
  });

  it('migrates a log recorded at an older version, and leaves one a newer release migrated', async () => {
    const before = await triggerOids(t);
    await t.pool.query('update event_store_schema set version = $1', [EVENT_STORE_SCHEMA_VERSION + 1]);
    await migrateEventStore(t.pool);
    expect(await triggerOids(t)).toEqual(before);

    await t.pool.query('update event_store_schema set version = $1', [EVENT_STORE_SCHEMA_VERSION - 1]);
    await migrateEventStore(t.pool);
    expect(await triggerOids(t)).not.toEqual(before);
    expect((await t.pool.query('select version from event_store_schema')).rows).toEqual([{ version: EVENT_STORE_SCHEMA_VERSION }]);
  });

  it('drops the stream table an early version kept, which nothing reads', async () => {
    await t.pool.query('create table event_streams (stream_name text primary key, revision bigint not null)');
    await t.pool.query('update event_store_schema set version = $1', [EVENT_STORE_SCHEMA_VERSION - 1]);
    await migrateEventStore(t.pool);
    const { rows } = await t.pool.query(`select to_regclass('event_streams') as found`);
    expect(rows).toEqual([{ found: null }]);
  });

  it('migrates a log from before the version was recorded', async () => {
    await t.pool.query('drop table event_store_schema');
    const before = await triggerOids(t);
    await migrateEventStore(t.pool);
    expect(await triggerOids(t)).not.toEqual(before);
    expect((await t.pool.query('select version from event_store_schema')).rows).toEqual([{ version: EVENT_STORE_SCHEMA_VERSION }]);
  });

  it('migrates once when several processes start at once', async () => {
    await t.pool.query('drop table event_store_schema');
    await Promise.all(Array.from({ length: 4 }, () => migrateEventStore(t.pool)));
    expect((await t.pool.query('select count(*)::int as count from event_store_schema')).rows).toEqual([{ count: 1 }]);
  });
});
