import type { Config } from '@reelay/platform/core';
import { createPool, ensureDatabase } from '@reelay/platform/postgres';
import type { EventStore } from './eventStore';
import { EVENTSTOREDB_URL, openEventStoreDb } from './eventStoreDbLoader';
import type { LogDiagnostics } from './logDiagnostics';
import { sealEventLog, type LogSeal } from './postgres/logSealer';
import { PostgresEventStore } from './postgres/postgresEventStore';
import { postgresLogDiagnostics } from './postgres/postgresLogDiagnostics';

/** An event store opened from configuration, with what a service needs around it. */
export interface OpenedEventStore {
  readonly store: EventStore;
  /** `postgres` or `eventstoredb`: which adapter `EVENT_STORE_URL` chose. */
  readonly adapter: 'postgres' | 'eventstoredb';
  /** Lag and hold-back of the log, for /metrics and the audit CLI. */
  readonly diagnostics: LogDiagnostics;
  /** Rejects while the store cannot be reached: for `/readyz`. */
  ready(): Promise<unknown>;
  /**
   * Seals the log up to its newest readable event (undefined when nothing new was sealed);
   * absent where the store keeps no seals (EventStoreDB).
   */
  readonly seal?: () => Promise<LogSeal | undefined>;
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
  if (EVENTSTOREDB_URL.test(url)) return openEventStoreDb(url);
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
    adapter: 'postgres',
    diagnostics: postgresLogDiagnostics(pool),
    ready: () => pool.query('select 1'),
    seal: () => sealEventLog(pool),
    async close() {
      await store.close();
      await pool.end();
    },
  };
}
