import type { Knex } from 'knex';
import { Gauge, type Registry } from 'prom-client';
import { createHttpApp, createMetricsRegistry, createTokenVerifier, registerAuthentication, type Config, type HttpApp, type Logger } from '@reelay/platform';
import { registerGetVideo } from './getVideo/getVideoRoute';
import { registerListVideos } from './listVideos/listVideosRoute';
import { VideoChangeListener } from './readModel/videoChangeListener';

export interface QueryAppOptions {
  readonly config: Pick<Config, 'DATABASE_URL' | 'AUTH_JWT_SECRET' | 'AUTH_JWKS_URL' | 'AUTH_ISSUER' | 'AUTH_AUDIENCE'>;
  readonly logger: Logger;
  /** The read model's database; owned by the caller, who destroys it after `app.close()`. */
  readonly knex: Knex;
  readonly metrics?: Registry;
}

/**
 * The query API as a fastify app, without listening: the process and the tests build the same
 * app. It opens one LISTEN connection for long-polls (on first use) and closes it on `close()`,
 * ending every held request first so that closing never waits out a long-poll.
 */
export function buildQueryApp(options: QueryAppOptions): HttpApp {
  const { config, logger, knex } = options;
  const metrics = options.metrics ?? createMetricsRegistry('query-api');
  const changes = new VideoChangeListener({ connectionString: config.DATABASE_URL, logger });

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
  });
  registerAuthentication(app, createTokenVerifier(config));
  registerGetVideo(app, { knex, changes });
  registerListVideos(app, { knex });
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
    await changes.close();
  });
  // Requests answered during shutdown (the held long-polls above) must not leave a keep-alive
  // connection behind: the server's close waits for every connection to end.
  app.addHook('onSend', async (_request, reply) => {
    if (closing) reply.header('connection', 'close');
  });
  return app;
}
