import type { FastifyRequest } from 'fastify';
import type { UserId } from '@reelay/contracts';
import { HttpError } from '../http/problems';
import type { HttpApp } from '../http/createHttpApp';
import { AuthenticationUnavailable, Unauthenticated, type TokenVerifier } from './tokens';

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated caller; set on every route that is not `public` before its handler runs. */
    userId: UserId;
  }
  interface FastifyContextConfig {
    /** Reachable without a token (health, readiness, metrics). Every other route requires one. */
    public?: boolean;
  }
}

/**
 * Longest Authorization header looked at. Real tokens are well under 2 KiB; parsing and
 * verifying megabyte "tokens" is work an attacker should not be able to buy. (Node refuses a
 * header section over 16 KiB on its own, also with 431.)
 */
export const MAX_AUTHORIZATION_LENGTH = 8 * 1024;

/** RFC 6750: the scheme is case-insensitive, the credentials one token68. */
const BEARER = /^bearer +([A-Za-z0-9._~+/-]+=*) *$/i;

function unauthorized(detail: string): HttpError {
  return new HttpError(401, 'unauthorized', detail, { 'www-authenticate': 'Bearer' });
}

/**
 * Deny by default: every route requires a token unless it is declared `config: { public: true }`.
 * Unknown URLs under `/v1/` require one too, so that a caller without a token learns nothing
 * about which routes and methods exist; unknown URLs elsewhere are a plain 404.
 */
function requiresToken(request: FastifyRequest): boolean {
  if (request.is404) return /^\/v1(\/|$|\?)/.test(request.url);
  return request.routeOptions.config.public !== true;
}

/** Requires a valid bearer token on every non-public route and puts its subject on `request.userId`. */
export function registerAuthentication(app: HttpApp, verifier: TokenVerifier): void {
  app.decorateRequest('userId', '' as UserId);
  app.addHook('onRequest', async (request: FastifyRequest) => {
    if (!requiresToken(request)) return;
    const header = request.headers.authorization;
    if (!header) throw unauthorized('an Authorization: Bearer <token> header is required');
    if (header.length > MAX_AUTHORIZATION_LENGTH) {
      throw new HttpError(431, 'header-too-large', `the Authorization header is longer than ${MAX_AUTHORIZATION_LENGTH} characters`);
    }
    const match = BEARER.exec(header);
    if (!match?.[1]) throw unauthorized('the Authorization header must be "Bearer <token>"');
    try {
      request.userId = await verifier.verify(match[1]);
    } catch (error) {
      if (error instanceof Unauthenticated) throw unauthorized(error.message);
      if (error instanceof AuthenticationUnavailable) {
        throw new HttpError(503, 'unavailable', error.message, { 'retry-after': '5' }, { cause: error });
      }
      throw error;
    }
  });
}
