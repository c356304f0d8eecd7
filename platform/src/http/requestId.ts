import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** An id a load balancer may pass in `X-Request-Id`: short and plain, since it lands in every log line. */
const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The request's id: the caller's `X-Request-Id` when it is safe to log, a fresh UUID otherwise. */
export function requestIdOf(request: IncomingMessage): string {
  const given = request.headers['x-request-id'];
  return typeof given === 'string' && SAFE_REQUEST_ID.test(given) ? given : randomUUID();
}
