import proxy from '@fastify/http-proxy';
import type { FastifyInstance } from 'fastify';

/** Where the two APIs listen, as the demo server reaches them. */
export interface Upstreams {
  readonly commandApiUrl: string;
  readonly queryApiUrl: string;
}

const READS = ['GET', 'HEAD'];
const WRITES = ['POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
const TUS = [...READS, ...WRITES];

/**
 * Both APIs under the demo's own origin, with their own paths: reads of videos and lists go to
 * the query API, everything else under `/v1` (uploads, tus, delete, retry) to the command API.
 * The page then needs no CORS, and the SDK is simply given this origin for both APIs. Bodies are
 * streamed through, never buffered; each API still authenticates every request itself.
 */
export function registerApiProxy(app: FastifyInstance, upstreams: Upstreams): void {
  const routes: { prefix: string; upstream: string; methods: string[] }[] = [
    { prefix: '/v1/videos', upstream: upstreams.queryApiUrl, methods: READS },
    { prefix: '/v1/users', upstream: upstreams.queryApiUrl, methods: READS },
    { prefix: '/v1/videos', upstream: upstreams.commandApiUrl, methods: WRITES },
    { prefix: '/v1/uploads', upstream: upstreams.commandApiUrl, methods: TUS },
  ];
  for (const route of routes) {
    app.register(proxy, {
      upstream: route.upstream,
      prefix: route.prefix,
      rewritePrefix: route.prefix,
      httpMethods: route.methods,
      // tus answers a relative Location (`/v1/uploads/<id>`), already right for this origin.
      internalRewriteLocationHeader: false,
      // Long-polls hold a request up to 30 s; uploads can be long.
      replyOptions: { timeout: 0 } as never,
    });
  }
}
