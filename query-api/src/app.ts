import type { Knex } from 'knex';
import { Gauge, type Registry } from 'prom-client';
import rateLimit from '@fastify/rate-limit';
import {
  createHttpApp,
  createMetricsRegistry,
  createTokenVerifier,
  perUserRateLimit,
  registerAuthentication,
  type Config,
  type HttpApp,
  zodRoutes,
  type Logger,
  type TokenVerifier,
} from '@reelay/platform';
import { registerGetVideo } from './getVideo/getVideoRoute';
import { findReceivingOfUser } from './readModel/progress';
import { registerListVideos } from './listVideos/listVideosRoute';
import { VideoChangeListener } from './readModel/videoChangeListener';
import { createVideoReader } from './readModel/videoReader';
import { VideoRecordCache, type VideoRecordCacheOptions } from './readModel/videoRecordCache';

export interface QueryAppOptions {
  readonly config: Pick<
    Config,
    'DATABASE_URL' | 'AUTH_JWT_SECRET' | 'AUTH_JWKS_URL' | 'AUTH_ISSUER' | 'AUTH_AUDIENCE' | 'RATE_LIMIT_MAX' | 'RATE_LIMIT_WINDOW_MS'
  >;
  /** How tokens are checked; by default as the configuration's AUTH_* variables say. */
  readonly verifier?: TokenVerifier;
  readonly logger: Logger;
  /** The read model's database; owned by the caller, who destroys it after `app.close()`. */
  readonly knex: Knex;
  readonly metrics?: Registry;
  /** The row cache in front of `GET /v1/videos/:videoId`; `maxEntries: 0` turns it off. */
  readonly cache?: Pick<VideoRecordCacheOptions, 'maxEntries' | 'ttlMs'>;
}

/** As the configuration's defaults: about 1 KiB a row, some 10 MiB at most. */
const DEFAULT_CACHE = { maxEntries: 10_000, ttlMs: 5_000 } as const;

/**
 * The query API as a fastify app, without listening: the process and the tests build the same
 * app. It opens one LISTEN connection for long-polls and the row cache when it is ready, and
 * closes it on `close()`, ending every held request first so that closing never waits out a
 * long-poll.
 */
export function buildQueryApp(options: QueryAppOptions): HttpApp {
  const { config, logger, knex } = options;
  const metrics = options.metrics ?? createMetricsRegistry('query-api');
  const cache = new VideoRecordCache(options.cache ?? DEFAULT_CACHE);
  const changes = new VideoChangeListener({
    connectionString: config.DATABASE_URL,
    logger,
    onChange: (videoId) => cache.invalidate(videoId),
    onListeningChange: (listening) => cache.setEnabled(listening),
  });
  const read = createVideoReader({ knex, cache, keepListening: () => void changes.ensureListening() });

  new Gauge({
    name: 'reelay_query_cached_videos',
    help: 'video_info rows held in memory for GET /v1/videos/:videoId',
    registers: [metrics],
    collect() {
      this.set(cache.size);
    },
  });
  new Gauge({
    name: 'reelay_query_long_polls_waiting',
    help: 'GET /v1/videos/:videoId requests held open waiting for a change',
    registers: [metrics],
    collect() {
      this.set(changes.waitingCount());
    },
  });

  const app = createHttpApp({
    service: 'query-api',
    logger,
    metrics,
    // The table, not just the connection: until the projector has migrated, nothing can be served.
    readiness: { 'read model': () => knex.raw('select 1 from video_info limit 0') },
    openApi: { title: 'Reelay query API', description: "Read-only: a video's status (ETag, long-poll) and a user's videos." },
  });
  registerAuthentication(app, options.verifier ?? createTokenVerifier(config));
  // Before the routes: the plugin hooks into every route declared after it has loaded.
  app.register(rateLimit, perUserRateLimit({ max: config.RATE_LIMIT_MAX, windowMs: config.RATE_LIMIT_WINDOW_MS }));
  app.register(async (scope) => {
    const routes = zodRoutes(scope);
    registerGetVideo(routes, { read, changes, findReceiving: (videoId, userId) => findReceivingOfUser(knex, videoId, userId) });
    registerListVideos(routes, { knex });
  });
  // Listening from the start lets the cache serve the first polls.
  app.addHook('onReady', async () => {
    await changes.ensureListening();
  });
  // Held long-polls are answered at once; the platform marks every answer given while closing
  // `Connection: close`, so the server's close does not wait on keep-alive connections.
  app.addHook('preClose', async () => {
    await changes.close();
  });
  return app;
}
