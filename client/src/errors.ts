import type { Problem } from './types';

/** An answer of a Reelay API other than the one expected, with its problem details when it sent them. */
export class ReelayHttpError extends Error {
  override readonly name = 'ReelayHttpError';

  constructor(
    readonly status: number,
    readonly problem: Problem | undefined,
    /** Seconds the server asked the client to wait (`Retry-After`), when it said. */
    readonly retryAfterSeconds: number | undefined,
  ) {
    super(problem ? `${status} ${problem.title}: ${problem.detail}` : `HTTP ${status}`);
  }

  /** Worth trying again later: rate limits, timeouts, a server draining or overloaded. */
  get retryable(): boolean {
    return this.status === 408 || this.status === 429 || this.status >= 500;
  }
}

/** Reads an error answer: problem+json when the server sent it. */
export async function httpErrorOf(response: Response): Promise<ReelayHttpError> {
  const retryAfter = Number(response.headers.get('retry-after'));
  let problem: Problem | undefined;
  if ((response.headers.get('content-type') ?? '').includes('json')) {
    problem = (await response.json().catch(() => undefined)) as Problem | undefined;
  } else {
    await response.body?.cancel().catch(() => undefined);
  }
  return new ReelayHttpError(response.status, problem, Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined);
}
