import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';

/** Paths that load balancers, orchestrators and the launcher poll every few seconds. */
const PROBE_PATHS = new Set(['/healthz', '/readyz']);

function isProbe(request: FastifyRequest): boolean {
  return PROBE_PATHS.has(request.url.split('?')[0] ?? '');
}

/**
 * Fastify's request lines, with health and readiness probes at `debug` instead of `info`: a
 * probe every few seconds would otherwise bury what a person or an alert needs to see. A probe
 * that errors is still logged at `error`.
 */
export class ProbesAtDebugLogController extends LogController {
  override incomingRequest(request: FastifyRequest, reply: FastifyReply, metadata?: Record<string, unknown>): void {
    if (!isProbe(request)) super.incomingRequest(request, reply, metadata);
    else if (!this.isLogDisabled(request)) request.log.debug({ req: request }, 'incoming request');
  }

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply, metadata?: Record<string, unknown>): void {
    if (error || !isProbe(request)) super.requestCompleted(error, request, reply, metadata);
    else if (!this.isLogDisabled(request)) reply.log.debug({ res: reply, responseTime: reply.elapsedTime }, 'request completed');
  }
}
