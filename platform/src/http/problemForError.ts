import { DomainError } from '@reelay/contracts';
import { HttpError, SLUGS } from './problems';
import { DependencyUnavailable } from '../lifecycle/dependencyUnavailable';
import { isConnectionError } from '../postgres/connectionErrors';

/** What the one error handler sends for an error. */
export interface ProblemReply {
  readonly status: number;
  readonly slug: string;
  readonly detail: string;
  readonly headers: Record<string, string>;
  /** A server-side failure, logged with its stack and cause; the caller never sees either. */
  readonly internal: boolean;
}

/** The shape of fastify's schema validation failures (and of its own framework errors). */
interface FrameworkError {
  readonly message: string;
  readonly statusCode?: number;
  readonly validation?: ReadonlyArray<{ readonly instancePath?: string; readonly message?: string }>;
  readonly validationContext?: string;
}

/** Details quote the request back at most this far: a 10 kB parameter is not echoed whole. */
const MAX_DETAIL_LENGTH = 500;

export const INTERNAL_DETAIL = 'The server could not handle this request; it has been logged.';
export const UNAVAILABLE_DETAIL = 'A service this request needs is unavailable for the moment; please retry.';

/**
 * Whether the error, or one of its causes, says a dependency could not be reached (Postgres down
 * or restarting, NATS away, the event store unavailable) rather than that the request was bad:
 * the caller should retry (API.md: `503` when a dependency is down), and is told so.
 */
function isDependencyUnavailable(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth += 1) {
    if (current instanceof DependencyUnavailable || isConnectionError(current)) return true;
    // knex's pool gave up waiting for a connection it could not open.
    if ((current as { name?: unknown }).name === 'KnexTimeoutError') return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

function clip(detail: string): string {
  return detail.length <= MAX_DETAIL_LENGTH ? detail : `${detail.slice(0, MAX_DETAIL_LENGTH)}…`;
}

function validationDetail(error: FrameworkError): string {
  const where = error.validationContext ?? 'request';
  return (error.validation ?? [])
    .map((issue) => `${where}${issue.instancePath ? issue.instancePath.replace(/\//g, '.') : ''} ${issue.message ?? 'is invalid'}`)
    .join('; ');
}

/**
 * Every error either API can meet, mapped in one place: our own HttpErrors and domain errors
 * keep their status and detail; schema failures become 400 with what was wrong; fastify's 4xx
 * keep their message; anything else is a 5xx whose detail says nothing about why.
 */
export function problemForError(error: unknown): ProblemReply {
  if (error instanceof HttpError) {
    return { status: error.status, slug: error.slug, detail: clip(error.message), headers: error.headers, internal: error.status >= 500 };
  }
  if (error instanceof DomainError) {
    return { status: error.status, slug: SLUGS[error.status] ?? 'error', detail: clip(error.message), headers: {}, internal: false };
  }
  const framework = (typeof error === 'object' && error !== null ? error : {}) as FrameworkError;
  if (framework.validation) return { status: 400, slug: 'bad-request', detail: clip(validationDetail(framework)), headers: {}, internal: false };
  if (isDependencyUnavailable(error)) {
    return { status: 503, slug: 'unavailable', detail: UNAVAILABLE_DETAIL, headers: { 'retry-after': '5' }, internal: true };
  }
  const status = framework.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    return { status, slug: SLUGS[status] ?? 'error', detail: clip(framework.message ?? 'the request was refused'), headers: {}, internal: false };
  }
  return { status: status >= 500 && status <= 599 ? status : 500, slug: 'internal', detail: INTERNAL_DETAIL, headers: {}, internal: true };
}
