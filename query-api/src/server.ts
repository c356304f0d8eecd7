import { createKnex, ensureDatabase, migrateIntakeProgress, type Config, type Logger, type RunningService } from '@reelay/platform';
import { createTokenVerifier } from '@reelay/platform/auth';
import { buildQueryApp } from './app';

export interface RunningQueryApi extends RunningService {
  /** Where the API listens, e.g. `http://127.0.0.1:3001`. */
  readonly url: string;
}

/**
 * The query API process: listens on HOST:QUERY_API_PORT. `stop()` answers held long-polls,
 * waits for requests in flight, then closes the database pool.
 */
export async function startQueryApi(config: Config, logger: Logger): Promise<RunningQueryApi> {
  // Secrets in it are redacted by the logger; the rest is what an operator needs to see.
  logger.info({ config }, 'configuration');
  if (createTokenVerifier(config).mode === 'development') {
    logger.warn('no AUTH_JWT_SECRET or AUTH_JWKS_URL: accepting tokens signed with the DEVELOPMENT secret');
  }
  await ensureDatabase(config.DATABASE_URL);
  const knex = createKnex(config.DATABASE_URL, { applicationName: 'reelay-query-api' });
  // The command API writes it; whichever starts first creates it.
  await migrateIntakeProgress(knex);
  const app = buildQueryApp({
    config,
    logger,
    knex,
    cache: { maxEntries: config.QUERY_CACHE_MAX_ENTRIES, ttlMs: config.QUERY_CACHE_TTL_MS },
  });
  try {
    const url = await app.listen({ host: config.HOST, port: config.QUERY_API_PORT });
    logger.info({ url }, 'query API listening');
    return {
      url,
      async stop() {
        await app.close();
        await knex.destroy();
      },
    };
  } catch (error) {
    await app.close().catch(() => undefined);
    await knex.destroy();
    throw error;
  }
}
