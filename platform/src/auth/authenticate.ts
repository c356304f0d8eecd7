import type { FastifyRequest } from 'fastify';
import type { UserId } from '@reelay/contracts';
import { HttpError } from '../http/problems';
import type { HttpApp } from '../http/createHttpApp';
import { Unauthenticated, type TokenVerifier } from './tokens';

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated caller; set on every `/v1` route before its handler runs. */
    userId: UserId;
  }
}

const BEARER = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/;

function unauthorized(detail: string): HttpError {
  return new HttpError(401, 'unauthorized', detail, { 'www-authenticate': 'Bearer' });
}

/** Requires a valid bearer token on every `/v1` route and puts its subject on `request.userId`. */
export function registerAuthentication(app: HttpApp, verifier: TokenVerifier): void {
  app.decorateRequest('userId', '' as UserId);
  app.addHook('onRequest', async (request: FastifyRequest) => {
    if (!request.url.startsWith('/v1/')) return;
    const header = request.headers.authorization;
    if (!header) throw unauthorized('an Authorization: Bearer <token> header is required');
    const match = BEARER.exec(header);
    if (!match?.[1]) throw unauthorized('the Authorization header must be "Bearer <token>"');
    try {
      request.userId = await verifier.verify(match[1]);
    } catch (error) {
      if (error instanceof Unauthenticated) throw unauthorized(error.message);
      throw error;
    }
  });
}
