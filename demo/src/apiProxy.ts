import { Agent, type IncomingMessage, type ServerResponse } from 'node:http';
import type { FastifyInstance, HTTPMethods } from 'fastify';
import { ProxyServer } from 'http-proxy-3';
import { PROBLEM_CONTENT_TYPE, problem } from '@reelay/platform';

/** Where the two APIs listen, as the demo server reaches them. */
export interface Upstreams {
  readonly commandApiUrl: string;
  readonly queryApiUrl: string;
}

const READS: HTTPMethods[] = ['GET', 'HEAD'];
const WRITES: HTTPMethods[] = ['POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
const TUS: HTTPMethods[] = [...READS, ...WRITES];

/** Idle connections to an API are dropped after this long, well before the API drops them (72 s). */
const IDLE_CONNECTION_MS = 5_000;

/** What the client is told when an API could not be reached, by the error's code. */
const UNREACHABLE: Record<string, string> = {
  ECONNREFUSED: 'refused the connection: it is not running, or not yet listening',
  ECONNRESET: 'closed the connection before answering',
  ENOTFOUND: 'has a host name that does not resolve',
};

/**
 * Both APIs under the demo's own origin, with their own paths: reads of videos and lists go to
 * the query API, everything else under `/v1` (uploads, tus, delete, retry) to the command API.
 * The page then needs no CORS, and the SDK is simply given this origin for both APIs. Bodies are
 * streamed through, never buffered; each API still authenticates every request itself.
 *
 * http-proxy-3 pipes through node:http; `@fastify/http-proxy`, which this replaces, loaded undici
 * and ws (138 modules, 4.4 MiB of heap) for the same job.
 */
export function registerApiProxy(app: FastifyInstance, upstreams: Upstreams): void {
  const routes: { prefix: string; upstream: string; name: string; methods: HTTPMethods[] }[] = [
    { prefix: '/v1/videos', upstream: upstreams.queryApiUrl, name: 'query API', methods: READS },
    { prefix: '/v1/users', upstream: upstreams.queryApiUrl, name: 'query API', methods: READS },
    { prefix: '/v1/videos', upstream: upstreams.commandApiUrl, name: 'command API', methods: WRITES },
    { prefix: '/v1/uploads', upstream: upstreams.commandApiUrl, name: 'command API', methods: TUS },
  ];
  const agent = new Agent({ keepAlive: true, timeout: IDLE_CONNECTION_MS });
  const proxy = new ProxyServer({
    agent,
    // The path and query exactly as the client sent them (otherwise they are parsed as a URL,
    // which resolves `..` segments).
    toProxy: true,
    // The Host header names the API, as @fastify/reply-from did.
    changeOrigin: true,
    // No `proxyTimeout`: long-polls hold a request up to 30 s, and uploads can be long. tus
    // answers a relative Location (`/v1/uploads/<id>`), right for this origin as it is: no
    // redirect rewriting is asked for.
  });
  proxy.on('proxyRes', (answer, _request, response) => {
    // The demo's own request id, as fastify's onSend hook set it when it still saw these answers
    // (a hijacked reply skips it).
    delete answer.headers['x-request-id'];
    // An API that breaks off its answer midway: the client must see it broken, not wait forever.
    answer.once('close', () => {
      if (!answer.complete) response.destroy();
    });
  });

  app.register(async (scope) => {
    // The body is the API's to read: handed on as the raw stream, never parsed here.
    const passThrough = (_request: unknown, payload: IncomingMessage, done: (error: null, body: IncomingMessage) => void) => done(null, payload);
    scope.addContentTypeParser('application/json', passThrough);
    scope.addContentTypeParser('*', passThrough);
    scope.addHook('onClose', async () => agent.destroy());

    for (const route of routes) {
      const target = new URL(route.upstream);
      for (const url of [route.prefix, `${route.prefix}/*`]) {
        scope.route({
          method: route.methods,
          url,
          handler: (request, reply) => {
            reply.hijack();
            reply.raw.setHeader('x-request-id', request.id);
            reply.raw.setHeader('x-content-type-options', 'nosniff');
            // The client going away destroys the API's request (http-proxy-3 does it when the
            // response closes unfinished).
            proxy.web(request.raw, reply.raw, { target }, (error: Error & { code?: string }) => {
              // Once the answer is whole, what fails is only the rest of a body the API did not want.
              if (reply.raw.writableFinished) return;
              request.log.warn({ err: error, upstream: route.upstream }, 'the API could not be reached');
              const why = UNREACHABLE[error.code ?? ''] ?? `could not be reached (${error.code ?? error.message})`;
              answerUnreachable(request.raw, reply.raw, `the ${route.name} ${why}; retry in a moment`);
            });
          },
        });
      }
    }
  });
}

/** 502 problem+json if nothing was answered yet; a broken connection if the answer had started. */
function answerUnreachable(request: IncomingMessage, response: ServerResponse, detail: string): void {
  if (response.destroyed) return;
  if (response.headersSent) {
    response.destroy();
    return;
  }
  const body = JSON.stringify(problem(502, 'bad-gateway', detail));
  response.writeHead(502, {
    'content-type': PROBLEM_CONTENT_TYPE,
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
    // The rest of an upload that was refused is read and dropped, and the connection closed after.
    ...(request.complete ? {} : { connection: 'close' }),
  });
  response.end(body);
  request.resume();
}
