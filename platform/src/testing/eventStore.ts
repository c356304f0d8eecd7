import { createPool } from '../postgres/database';
import { PostgresEventStore } from '../eventStore/postgres/postgresEventStore';
import { createTestDatabase } from './testDatabase';

/** A migrated Postgres event store on a database of the test's own. */
export async function createTestEventStore(options: { safetyPollMs?: number } = {}) {
  const database = await createTestDatabase();
  const pool = createPool(database.url, { max: 12 });
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
