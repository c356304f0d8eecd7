/**
 * How long to wait after failures: `initialMs` after the first, doubling after each further one,
 * never more than `maxMs`; then `jitter` spreads that step:
 * - `full`: a random wait in [0, step), so that many clients back from one outage do not retry in step;
 * - `equal`: half the step fixed and half random, which spreads them but never waits less than half;
 * - `none`: the step itself, for one waiter that nobody retries alongside (a reconnect, a lock poll).
 */
export interface BackoffPolicy {
  readonly initialMs: number;
  readonly maxMs: number;
  readonly jitter: 'full' | 'equal' | 'none';
}

/** The wait after failure number `failures` (counted from 1); `random` is in [0, 1). */
export function backoffDelay(failures: number, policy: BackoffPolicy, random = 0): number {
  const step = Math.min(policy.maxMs, policy.initialMs * 2 ** Math.max(0, failures - 1));
  switch (policy.jitter) {
    case 'full':
      return Math.round(step * random);
    case 'equal':
      return Math.round(step / 2 + (step / 2) * random);
    case 'none':
      return step;
    default: {
      const unknown: never = policy.jitter;
      throw new Error(`unknown jitter ${String(unknown)}`);
    }
  }
}
