import {
  createMetricsRegistry,
  type Config,
  type Logger,
  type RunningService,
} from '@reelay/platform';
import { createTokenVerifier } from '@reelay/platform/auth';
import { openEventStore } from '@reelay/event-store';
import { buildDemoApp } from './app';
import { buildDemoPage } from './page';
import { PushFeed } from './pushFeed';

/** Wildcard listen addresses are reached on loopback. */
function reachable(host: string): string {
  return host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
}

/** The demo server of `npm start`: the page at `/demo`, both APIs proxied under the same origin. */
export async function startDemo(config: Config, logger: Logger): Promise<RunningService & { url: string }> {
  const verifier = createTokenVerifier(config);
  // Only when asked for (npm start does, in development; production refuses DEMO_TOKENS=on), and
  // only when the APIs accept HS256 tokens, which is what the page signs.
  const signIn = config.DEMO_TOKENS === 'on' && !config.RUN_MODE.production && verifier.mode !== 'jwks';
  const page = await buildDemoPage();
  const events = await openEventStore(config, { applicationName: 'reelay-demo', maxConnections: 2 });
  const pushes = new PushFeed(events.store, logger);
  await pushes.start();
  const host = reachable(config.HOST);
  const app = buildDemoApp({
    logger,
    metrics: createMetricsRegistry('demo'),
    upstreams: { commandApiUrl: `http://${host}:${config.COMMAND_API_PORT}`, queryApiUrl: `http://${host}:${config.QUERY_API_PORT}` },
    page,
    pushes,
    verifier,
    developmentSignIn: signIn ? { secret: config.AUTH_JWT_SECRET, issuer: config.AUTH_ISSUER, audience: config.AUTH_AUDIENCE } : undefined,
  });
  try {
    const url = await app.listen({ host: config.HOST, port: config.DEMO_PORT });
    logger.info({ url: `${url}/demo`, developmentSignIn: signIn }, 'demo page listening');
    return {
      url,
      async stop() {
        await app.close();
        await pushes.stop();
        await events.close();
      },
    };
  } catch (error) {
    await app.close().catch(() => undefined);
    await pushes.stop();
    await events.close();
    throw error;
  }
}
