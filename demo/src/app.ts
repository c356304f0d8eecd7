import { z } from 'zod';
import { UserId } from '@reelay/contracts';
import { HttpError, createHttpApp, signToken, zodRoutes, type HttpApp, type Logger, type TokenVerifier } from '@reelay/platform';
import type { Registry } from 'prom-client';
import { registerApiProxy, type Upstreams } from './apiProxy';
import type { DemoPage } from './page';
import type { PushFeed } from './pushFeed';
import { registerPushStream } from './pushStream';

export interface DemoAppOptions {
  readonly logger: Logger;
  readonly metrics: Registry;
  readonly upstreams: Upstreams;
  readonly page: DemoPage;
  readonly pushes: PushFeed;
  /** Checks the page's token for its push stream, as the APIs check it. */
  readonly verifier: TokenVerifier;
  /** When set, anyone can sign in as any user: only in development, with DEMO_TOKENS=on. */
  readonly developmentSignIn?: { readonly secret?: string; readonly issuer?: string; readonly audience?: string };
}

const SignIn = z.object({ userId: UserId });

/** The demo server: the page and its script, development sign-in, the push stream, and both APIs proxied. */
export function buildDemoApp(options: DemoAppOptions): HttpApp {
  const app = createHttpApp({ service: 'demo', logger: options.logger, metrics: options.metrics, readiness: {} });
  registerApiProxy(app, options.upstreams);

  app.register(async (scope) => {
    const routes = zodRoutes(scope);
    const page = async (_request: unknown, reply: { type(t: string): unknown; header(k: string, v: string): unknown }) => {
      reply.header('cache-control', 'no-store');
      reply.type('text/html; charset=utf-8');
      return options.page.html;
    };
    routes.get('/', async (_request, reply) => reply.redirect('/demo'));
    routes.get('/demo', page);
    routes.get('/demo/', page);
    routes.get('/demo/demo.js', async (_request, reply) => {
      reply.header('cache-control', 'no-store').type('text/javascript; charset=utf-8');
      return options.page.script;
    });
    routes.get('/demo/uppy', async (_request, reply) => {
      reply.header('cache-control', 'no-store').type('text/html; charset=utf-8');
      return options.page.uppy.html;
    });
    routes.get('/demo/uppy.js', async (_request, reply) => {
      reply.header('cache-control', 'no-store').type('text/javascript; charset=utf-8');
      return options.page.uppy.script;
    });
    routes.get('/demo/config', async () => ({ developmentSignIn: options.developmentSignIn !== undefined }));
    routes.post('/demo/token', { schema: { body: SignIn } }, async (request) => {
      const signIn = options.developmentSignIn;
      if (!signIn) {
        throw new HttpError(
          404,
          'not-found',
          'signing in by name is off (it is turned on only in development, with DEMO_TOKENS=on, as npm start does); paste a token of your identity provider instead',
        );
      }
      return { userId: request.body.userId, token: await signToken(request.body.userId, { secret: signIn.secret, issuer: signIn.issuer, audience: signIn.audience }) };
    });
    registerPushStream(routes, { pushes: options.pushes, verifier: options.verifier });
  });
  return app;
}
