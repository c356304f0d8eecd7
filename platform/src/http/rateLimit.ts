import type { FastifyRequest } from 'fastify';
import { HttpError } from './problems';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * Requests of this route that the per-user rate limit does not count, asked before the body
     * is read (the tus routes: the HEADs and PATCHes of an upload the caller already owns, so that
     * an upload in small chunks is limited by its creation, not cut off half-way).
     */
    notRateLimited?: (request: FastifyRequest) => boolean | Promise<boolean>;
  }
}

export interface PerUserRateLimit {
  /** Requests one caller may make per window. */
  readonly max: number;
  readonly windowMs: number;
}

/**
 * Options for `@fastify/rate-limit` (registered by each API, which owns that dependency): one
 * budget per authenticated user, counted in this process. It runs at `preParsing`, after
 * authentication has put the user on the request and before a body is read, so a refused
 * upload costs nothing. Public routes (health, metrics) are never limited, nor requests a route
 * exempts (`config.notRateLimited`); a request that got this far without a user (none, today)
 * is keyed by its address.
 *
 * The count is per process: N copies behind a load balancer allow up to N times the budget. A
 * shared store (Redis) would make it exact; see the README.
 */
export function perUserRateLimit(limit: PerUserRateLimit) {
  return {
    global: true,
    hook: 'preParsing' as const,
    max: limit.max,
    timeWindow: limit.windowMs,
    keyGenerator: (request: FastifyRequest): string => (request.userId ? `user:${request.userId}` : `ip:${request.ip}`),
    allowList: async (request: FastifyRequest): Promise<boolean> => {
      const { config } = request.routeOptions;
      return config.public === true || (config.notRateLimited !== undefined && (await config.notRateLimited(request)));
    },
    errorResponseBuilder: (_request: FastifyRequest, context: { max: number; ttl: number }): HttpError => {
      const seconds = Math.max(1, Math.ceil(context.ttl / 1000));
      return new HttpError(
        429,
        'rate-limited',
        `more than ${context.max} requests in ${Math.round(limit.windowMs / 1000)} s from this user; retry in ${seconds} s`,
        { 'retry-after': String(seconds) },
      );
    },
  };
}
