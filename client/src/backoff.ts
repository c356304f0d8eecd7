/** How long to wait between attempts after failures. */
export interface BackoffPolicy {
  /** The first delay. */
  readonly initialMs: number;
  /** No delay is longer than this. */
  readonly maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 500, maxMs: 30_000 };

/**
 * Exponential backoff with full jitter (a random delay up to the exponential cap), so that many
 * phones coming back from the same outage do not retry in step. `random` is in [0, 1);
 * a server's `Retry-After` is a floor.
 */
export function backoffDelay(failures: number, policy: BackoffPolicy, random: number, retryAfterSeconds?: number): number {
  const cap = Math.min(policy.maxMs, policy.initialMs * 2 ** Math.max(0, failures - 1));
  const jittered = Math.round(cap * random);
  return Math.max(jittered, (retryAfterSeconds ?? 0) * 1000);
}

/** Resolves after `ms`, or at once when `signal` aborts. */
export function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done);
  });
}
