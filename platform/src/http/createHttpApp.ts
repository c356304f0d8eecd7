import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyReply } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Registry } from 'prom-client';
import { DomainError } from '@reelay/contracts';
import type { Logger } from '../logging/logger';
import { HttpError, problem } from './problems';
import { httpDurationRecorder, type ReadinessChecks, checkReadiness } from './observability';

function createFastify(logger: Logger) {
  return Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    genReqId: () => randomUUID(),
    requestIdHeader: 'x-request-id',
    return503OnClosing: true,
    // Uploads stream through their own content-type parser; JSON bodies are small.
    bodyLimit: 64 * 1024,
  }).withTypeProvider<ZodTypeProvider>();
}

export type HttpApp = ReturnType<typeof createFastify>;

export interface HttpAppOptions {
  readonly service: string;
  readonly logger: Logger;
  readonly metrics: Registry;
  readonly readiness: ReadinessChecks;
}

const SLUGS: Record<number, string> = {
  400: 'bad-request',
  401: 'unauthorized',
  404: 'not-found',
  405: 'method-not-allowed',
  409: 'conflict',
  413: 'too-large',
  415: 'unsupported-media-type',
  429: 'rate-limited',
  503: 'unavailable',
};

function hasUnreadBody(raw: IncomingMessage): boolean {
  const declaresBody = Number(raw.headers['content-length'] ?? 0) > 0 || raw.headers['transfer-encoding'] !== undefined;
  return declaresBody && !raw.readableEnded;
}

function sendProblem(reply: FastifyReply, status: number, slug: string, detail: string): FastifyReply {
  return reply.status(status).type('application/problem+json').send(problem(status, slug, detail));
}

/**
 * A fastify app with what every Reelay HTTP service shares: zod validation, problem+json for
 * every error (internals of 5xx stay in the log), `/healthz`, `/readyz` and `/metrics`.
 */
export function createHttpApp(options: HttpAppOptions): HttpApp {
  const app = createFastify(options.logger);

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  // An answer given before the body was read (a refusal, a repeated Idempotency-Key) closes the
  // connection: reading a video only to discard it wastes both sides' bandwidth, and a client
  // still sending on a keep-alive connection would hold the server's shutdown hostage.
  app.addHook('onSend', async (request, reply) => {
    if (hasUnreadBody(request.raw)) reply.header('connection', 'close');
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof HttpError) {
      reply.headers(error.headers);
      return sendProblem(reply, error.status, error.slug, error.message);
    }
    if (error instanceof DomainError) {
      return sendProblem(reply, error.status, SLUGS[error.status] ?? 'error', error.message);
    }
    if (error.validation) {
      const where = error.validationContext ?? 'request';
      const detail = error.validation
        .map((issue) => `${where}${issue.instancePath ? issue.instancePath.replace(/\//g, '.') : ''} ${issue.message ?? 'is invalid'}`)
        .join('; ');
      return sendProblem(reply, 400, 'bad-request', detail);
    }
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      return sendProblem(reply, status, SLUGS[status] ?? 'error', error.message);
    }
    request.log.error({ err: error }, 'request failed');
    return sendProblem(reply, status >= 500 ? status : 500, 'internal', 'The server could not handle this request; it has been logged.');
  });

  app.setNotFoundHandler((request, reply) =>
    sendProblem(reply, 404, 'not-found', `No route ${request.method} ${request.url.split('?')[0]}`),
  );

  app.addHook('onResponse', httpDurationRecorder(options.metrics));

  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    const failing = await checkReadiness(options.readiness);
    if (failing.length === 0) return { status: 'ready' };
    return sendProblem(reply, 503, 'unavailable', `not ready: ${failing.join(', ')}`);
  });
  app.get('/metrics', async (_request, reply) => {
    reply.type(options.metrics.contentType);
    return options.metrics.metrics();
  });

  return app;
}
