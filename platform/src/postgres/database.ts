import knexFactory, { type Knex } from 'knex';
import pg from 'pg';

// Postgres returns int8 as a string to avoid precision loss; our counts and sizes fit a double.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => {
  const parsed = Number(value);
  return Number.isSafeInteger(parsed) ? parsed : value;
});

export function databaseName(url: string): string {
  const name = decodeURIComponent(new URL(url).pathname.replace(/^\//, ''));
  if (!name) throw new Error('the database URL names no database');
  return name;
}

function maintenanceUrl(url: string): string {
  const parsed = new URL(url);
  parsed.pathname = '/postgres';
  return parsed.toString();
}

/** Creates the database named by `url` when it does not exist yet (as `npm start` promises). */
export async function ensureDatabase(url: string): Promise<void> {
  const name = databaseName(url);
  const client = new pg.Client({ connectionString: maintenanceUrl(url) });
  await client.connect();
  try {
    const found = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (found.rowCount === 0) {
      await client.query(`create database ${pg.escapeIdentifier(name)}`).catch((error: { code?: string }) => {
        // Another service created it first.
        if (error.code !== '42P04' && error.code !== '23505') throw error;
      });
    }
  } finally {
    await client.end();
  }
}

export async function dropDatabase(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: maintenanceUrl(url) });
  await client.connect();
  try {
    await client.query(`drop database if exists ${pg.escapeIdentifier(databaseName(url))} with (force)`);
  } finally {
    await client.end();
  }
}

/**
 * How long any of our sessions may sit idle inside a transaction before Postgres ends it. Such a
 * session holds back every global reader of the event log (on any database of the cluster).
 */
export const IDLE_IN_TRANSACTION_TIMEOUT_MS = 60_000;

export function createPool(url: string, options: { max?: number; applicationName?: string; idleInTransactionTimeoutMs?: number } = {}): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 10,
    application_name: options.applicationName ?? 'reelay',
    idle_in_transaction_session_timeout: options.idleInTransactionTimeoutMs ?? IDLE_IN_TRANSACTION_TIMEOUT_MS,
  });
  // An idle connection that dies (Postgres restarted, the connection killed) is dropped by the
  // pool, which then emits 'error'; unheard, that event would crash the process. The next query
  // opens a new connection, and readiness reports the database while it is down.
  pool.on('error', () => undefined);
  return pool;
}

export function createKnex(url: string, options: { max?: number; applicationName?: string } = {}): Knex {
  return knexFactory({
    client: 'pg',
    connection: {
      connectionString: url,
      application_name: options.applicationName ?? 'reelay',
      idle_in_transaction_session_timeout: IDLE_IN_TRANSACTION_TIMEOUT_MS,
    },
    pool: { min: 0, max: options.max ?? 10 },
  });
}
