import type { Config } from '../config/config';
import { createPool, ensureDatabase } from '../postgres/database';
import type { EventStore } from './eventStore';
import { PostgresEventStore } from './postgres/postgresEventStore';

/** An event store opened from configuration, with what a service needs around it. */
export interface OpenedEventStore {
  readonly store: EventStore;
  /** Rejects while the store cannot be reached: for `/readyz`. */
  ready(): Promise<unknown>;
  /** Stops its subscriptions and releases its connections. */
  close(): Promise<void>;
}

/**
 * Opens the event store that `EVENT_STORE_URL` names, by its scheme: `postgres://` (the default,
 * created and migrated when missing) or `esdb://`/`kurrentdb://` for EventStoreDB.
 */
export async function openEventStore(
  config: Pick<Config, 'EVENT_STORE_URL'>,
  options: { applicationName: string; maxConnections?: number },
): Promise<OpenedEventStore> {
  const url = config.EVENT_STORE_URL;
  if (/^(esdb|kurrentdb)(\+discover)?:\/\//.test(url)) {
    throw new Error('EVENT_STORE_URL names EventStoreDB, whose adapter is not available yet; use a postgres:// URL');
  }
  await ensureDatabase(url);
  const pool = createPool(url, { applicationName: options.applicationName, max: options.maxConnections });
  const store = new PostgresEventStore(pool);
  try {
    await store.migrate();
  } catch (error) {
    await pool.end();
    throw error;
  }
  return {
    store,
    ready: () => pool.query('select 1'),
    async close() {
      await store.close();
      await pool.end();
    },
  };
}
