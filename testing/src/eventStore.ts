import { START, type RecordedEvent } from '@reelay/contracts';
import { PostgresEventStore, type EventStore, type PostgresEventStoreOptions } from '@reelay/event-store';
import { createPool } from '@reelay/platform/postgres';
import { createTestDatabase } from './testDatabase';
import { eventually } from './eventually';

/** A migrated Postgres event store on a database of the test's own. */
export async function createTestEventStore(options: PostgresEventStoreOptions & { maxConnections?: number } = {}) {
  const database = await createTestDatabase();
  const pool = createPool(database.url, { max: options.maxConnections ?? 12 });
  const store = new PostgresEventStore(pool, options);
  await store.migrate();
  return {
    url: database.url,
    pool,
    store,
    async dispose() {
      await store.close();
      await pool.end();
      await database.drop();
    },
  };
}

/**
 * The whole log once it holds `count` events. The global read holds back events behind any older
 * write transaction still open on the cluster (another test's, say), so a read straight after an
 * append may not see it yet; this waits, as a subscriber would.
 */
export async function readWholeLog(store: EventStore, count: number, timeoutMs = 10_000): Promise<RecordedEvent[]> {
  return eventually(
    async () => {
      const events = await store.readAll({ from: START, limit: Math.max(count, 1000) });
      if (events.length < count) throw new Error(`the log shows ${events.length} of ${count} events`);
      return events;
    },
    timeoutMs,
    20,
  );
}
