import type { IncomingMessage } from 'node:http';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyServerOptions } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Registry } from 'prom-client';
import type { Logger } from '../logging/logger';
import { allowedMethods } from './allowedMethods';
import { createClientErrorHandler } from './clientErrors';
import { LingeringClose, type LingerLimits } from './lingeringClose';
import { HttpError, PROBLEM_CONTENT_TYPE, problem } from './problems';
import { INTERNAL_DETAIL, problemForError } from './problemForError';
import { requestIdOf } from './requestId';
import { httpDurationRecorder, type ReadinessChecks, checkReadiness } from './observability';
import { recordDeclaredRoutes } from './declaredRoutes';
import { publishDocsOnDemand } from './docsOnDemand';
import { OPS_RESPONSES, type OpenApiInfo } from './openApiInfo';
import { ProbesAtDebugLogController } from './probeLogging';

/** Longest URL path quoted back in a 404/405 detail. */
const MAX_QUOTED_PATH = 200;

/** The answer to a request fastify refused before routing it. */
function routingProblem(code: string): { status: number; slug: string; detail: string } {
  if (code === 'FST_ERR_MAX_PARAM_LENGTH') return { status: 414, slug: 'uri-too-long', detail: 'a segment of the URL path is longer than 100 characters' };
  if (code === 'FST_ERR_BAD_URL') return { status: 400, slug: 'bad-request', detail: 'the URL is not valid (bad percent-encoding)' };
  return { status: 500, slug: 'internal', detail: INTERNAL_DETAIL };
}

/**
 * Every route's schemas are zod's, compiled by zod. Given as fastify's compiler factories (not
 * only set on the app), they keep fastify from loading its own ajv and fast-json-stringify
 * compilers: 88 ajv modules and some 1.2 MiB of heap in every service, held and never used.
 */
type CompilersFactory = NonNullable<NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']>;
const ZOD_COMPILERS: FastifyServerOptions['schemaController'] = {
  // Typed by fastify for JSON Schema compilers; at run time it hands them each route's schemas,
  // which are zod's, exactly as `setValidatorCompiler` would.
  compilersFactory: {
    buildValidator: (() => validatorCompiler) as unknown as CompilersFactory['buildValidator'],
    buildSerializer: (() => serializerCompiler) as unknown as CompilersFactory['buildSerializer'],
  },
};

function createFastify(logger: Logger, lingering: LingeringClose) {
  return Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    logController: new ProbesAtDebugLogController(),
    genReqId: requestIdOf,
    // Read through genReqId, which refuses ids unfit for a log line.
    requestIdHeader: false,
    // Answered by our own onRequest hook below, as problem+json.
    return503OnClosing: false,
    // Uploads stream through their own content-type parser; JSON bodies are small.
    bodyLimit: 64 * 1024,
    clientErrorHandler: createClientErrorHandler(logger as FastifyBaseLogger, lingering),
    schemaController: ZOD_COMPILERS,
    // Refusals made before routing (bad percent-encoding, a path segment over 100 characters).
    frameworkErrors: (error, request, reply) => {
      const answer = routingProblem(error.code);
      if (answer.status >= 500) request.log.error({ err: error }, 'request could not be routed');
      sendProblem(reply, answer.status, answer.slug, answer.detail);
    },
  }).withTypeProvider<ZodTypeProvider>();
}

export type HttpApp = ReturnType<typeof createFastify>;

/**
 * A plugin's scope typed like the app. Fastify gives a plugin's scope the default type provider,
 * under which a route's zod schemas type nothing; routes declared on this one get typed params,
 * query, headers and body again.
 */
export function zodRoutes(scope: FastifyInstance): HttpApp {
  return scope.withTypeProvider<ZodTypeProvider>();
}

export interface HttpAppOptions {
  readonly service: string;
  readonly logger: Logger;
  readonly metrics: Registry;
  readonly readiness: ReadinessChecks;
  /** Publish an OpenAPI document of the app's routes and a page at `/docs` (the two APIs do). */
  readonly openApi?: OpenApiInfo;
  /** How long and how much of a refused body is read before closing (lingering close). */
  readonly linger?: LingerLimits;
}

function hasUnreadBody(raw: IncomingMessage): boolean {
  const declaresBody = Number(raw.headers['content-length'] ?? 0) > 0 || raw.headers['transfer-encoding'] !== undefined;
  return declaresBody && !raw.readableEnded;
}

function sendProblem(reply: FastifyReply, status: number, slug: string, detail: string): FastifyReply {
  return reply.status(status).header('cache-control', 'no-store').type(PROBLEM_CONTENT_TYPE).send(problem(status, slug, detail));
}

function quotedPath(url: string): string {
  const path = url.split('?')[0] ?? '';
  return path.length > MAX_QUOTED_PATH ? `${path.slice(0, MAX_QUOTED_PATH)}…` : path;
}

/**
 * A fastify app with what every Reelay HTTP service shares: zod validation; problem+json for
 * every error, including unknown routes (404), known routes with another method (405), requests
 * Node cannot parse (400/431) and requests during shutdown (503), with the internals of 5xx kept
 * in the log; `/healthz`, `/readyz` and `/metrics`, which are public.
 */
export function createHttpApp(options: HttpAppOptions): HttpApp {
  const lingering = new LingeringClose(options.linger);
  const app = createFastify(options.logger, lingering);
  lingering.attach(app.server);
  recordDeclaredRoutes(app);

  // The document is made, on the first request for it, from every route declared on the app.
  if (options.openApi) publishDocsOnDemand(app, options.openApi);

  // First of every hook: while draining, refuse new work at once so the balancer moves on.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
    // Shutting down must not wait on clients still sending refused bodies.
    lingering.stop();
  });
  app.addHook('onRequest', async () => {
    if (closing) throw new HttpError(503, 'unavailable', 'this instance is shutting down; retry', { 'retry-after': '1' });
  });

  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id).header('x-content-type-options', 'nosniff');
    // An answer given before the body was read (a refusal, a repeated Idempotency-Key) closes the
    // connection: reading a video only to discard it wastes both sides' bandwidth, and a client
    // still sending on a keep-alive connection would hold the server's shutdown hostage. It
    // lingers first, within limits, so that a client still sending reads the answer.
    const unread = hasUnreadBody(request.raw);
    if (unread) lingering.answeredEarly(request.raw);
    if (unread || closing) reply.header('connection', 'close');
  });

  app.setErrorHandler((error, request, reply) => {
    const answer = problemForError(error);
    if (answer.internal) request.log.error({ err: error }, 'request failed');
    reply.headers(answer.headers);
    return sendProblem(reply, answer.status, answer.slug, answer.detail);
  });

  app.setNotFoundHandler((request, reply) => {
    const allowed = allowedMethods(app, request.url);
    if (allowed.length > 0) {
      reply.header('allow', allowed.join(', '));
      return sendProblem(reply, 405, 'method-not-allowed', `${quotedPath(request.url)} does not accept ${request.method}; it accepts ${allowed.join(', ')}`);
    }
    return sendProblem(reply, 404, 'not-found', `No route ${request.method} ${quotedPath(request.url)}`);
  });

  app.addHook('onResponse', httpDurationRecorder(options.metrics));

  // In a plugin so that the OpenAPI document, registered above, sees them too.
  app.register(async (ops) => {
    const open = { config: { public: true } };
    ops.get('/healthz', { ...open, schema: { response: OPS_RESPONSES.healthz } }, async () => ({ status: 'ok' as const }));
    ops.get('/readyz', { ...open, schema: { response: OPS_RESPONSES.readyz } }, async (_request, reply) => {
      const failing = await checkReadiness(options.readiness);
      if (failing.length === 0) return { status: 'ready' as const };
      return sendProblem(reply, 503, 'unavailable', `not ready: ${failing.join(', ')}`);
    });
    // Prometheus text, sent as it is.
    ops.get('/metrics', { ...open, schema: { response: OPS_RESPONSES.metrics }, serializerCompiler: () => (data) => String(data) }, async (_request, reply) => {
      reply.type(options.metrics.contentType);
      return options.metrics.metrics();
    });
  });

  return app;
}
