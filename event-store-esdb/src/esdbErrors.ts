/**
 * `@eventstore/db-client` errors, matched by their gRPC status code and `type` string rather
 * than by class: the classes can come from another copy of the package, and an unreachable server
 * surfaces on append as a bare gRPC error (code 14) but on read as `UnavailableError`.
 */

const GRPC_UNAVAILABLE = 14;
const GRPC_DEADLINE_EXCEEDED = 4;

interface ClientError {
  readonly code?: unknown;
  readonly type?: unknown;
}

/** The server could not be reached, or lost: the operation is worth trying again. */
export function isUnavailable(error: unknown): boolean {
  const { code, type } = (error ?? {}) as ClientError;
  return (
    code === GRPC_UNAVAILABLE ||
    code === GRPC_DEADLINE_EXCEEDED ||
    type === 'unavailable' ||
    type === 'deadline-exceeded' ||
    type === 'not-leader'
  );
}

export function isWrongExpectedVersion(error: unknown): error is { actualVersion: bigint | 'no_stream' } {
  return (error as ClientError)?.type === 'wrong-expected-version';
}

export function isStreamNotFound(error: unknown): boolean {
  return (error as ClientError)?.type === 'stream-not-found';
}
