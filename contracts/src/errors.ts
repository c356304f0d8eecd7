/**
 * Errors that domain code throws; one error handler per API maps them to problem+json
 * (404, 409, 400). Anything else is an internal error whose details stay in the log.
 */
export abstract class DomainError extends Error {
  abstract readonly status: number;
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
  }
}

export class NotFound extends DomainError {
  override readonly name = 'NotFound';
  readonly status = 404;
}

export class Conflict extends DomainError {
  override readonly name = 'Conflict';
  readonly status = 409;
}

export class Validation extends DomainError {
  override readonly name = 'Validation';
  readonly status = 400;
}
