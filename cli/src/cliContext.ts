import { createKnex, createPool, loadConfig, type Config } from '@reelay/platform';
import { openEventStore, type OpenedEventStore } from '@reelay/event-store';
import type { Knex } from 'knex';
import type pg from 'pg';
import { CliFailure } from './cliFailure';

export { CliFailure, UsageError, EXIT } from './cliFailure';
export { isTty, write, printJsonLine, createProgress, type ProgressReporter, type ProgressOptions } from './output';

/**
 * What a command works with: the configuration of API.md (the services' variables, parsed by the
 * same `loadConfig`) and connections opened on first use, all closed by `close()`.
 */
export interface CliContext {
  readonly config: Config;
  /** The event store `EVENT_STORE_URL` names (Postgres, or EventStoreDB), migrated like the services do. */
  eventStore(): Promise<OpenedEventStore>;
  /** A pg pool on the Postgres event store; a CliFailure when `EVENT_STORE_URL` is EventStoreDB. */
  eventLogPool(): Promise<pg.Pool>;
  /** Knex on `DATABASE_URL`: the read model's database. */
  readModel(): Knex;
  close(): Promise<void>;
}

const APPLICATION_NAME = 'reelay-cli';

/** Opens a context from the environment; a bad variable throws ConfigError (exit 2). */
export function openCliContext(env: NodeJS.ProcessEnv = process.env): CliContext {
  const config = loadConfig(env);
  let opened: Promise<OpenedEventStore> | undefined;
  let pool: pg.Pool | undefined;
  let knex: Knex | undefined;
  return {
    config,
    eventStore() {
      opened ??= openEventStore(config, { applicationName: APPLICATION_NAME, maxConnections: 4 });
      return opened;
    },
    async eventLogPool() {
      const store = await this.eventStore();
      if (store.adapter !== 'postgres') throw new CliFailure('this command needs the Postgres event store (EVENT_STORE_URL is EventStoreDB)');
      pool ??= createPool(config.EVENT_STORE_URL, { applicationName: APPLICATION_NAME, max: 4 });
      return pool;
    },
    readModel() {
      knex ??= createKnex(config.DATABASE_URL, { applicationName: APPLICATION_NAME, max: 4 });
      return knex;
    },
    async close() {
      const store = opened;
      opened = undefined;
      await Promise.allSettled([
        store?.then((s) => s.close()),
        pool?.end(),
        knex?.destroy(),
      ]);
      pool = undefined;
      knex = undefined;
    },
  };
}

/**
 * Runs a command's body with a context and closes it afterwards, whatever happens. Errors
 * propagate to main.ts, which maps them to the exit code and the line on stderr.
 */
export async function withCliContext<T>(body: (context: CliContext) => Promise<T>): Promise<T> {
  const context = openCliContext();
  try {
    return await body(context);
  } finally {
    await context.close();
  }
}
