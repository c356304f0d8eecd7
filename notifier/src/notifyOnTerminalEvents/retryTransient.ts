import { abortableSleep, backoffDelay, type BackoffPolicy } from '@reelay/contracts';
import { PushRejected } from '../push/pushSender';

/**
 * How often and how patiently a transient push failure is retried within one batch: equal jitter,
 * so copies that failed together do not come back together, yet never sooner than half the step.
 */
export interface RetryPolicy extends BackoffPolicy {
  /** Attempts in all, the first included. */
  readonly maxAttempts: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 5, initialMs: 500, maxMs: 15_000, jitter: 'equal' };

/** The wait after attempt `attempt` failed: the backoff, or longer if the provider asks, but never beyond `maxMs`. */
export function retryDelayMs(attempt: number, policy: RetryPolicy, random: number, retryAfterMs: number | null = null): number {
  return Math.min(policy.maxMs, Math.max(backoffDelay(attempt, policy, random), Math.round(retryAfterMs ?? 0)));
}

/** Thrown when every attempt failed transiently; `cause` is the last failure. */
export class RetriesExhausted extends Error {
  override readonly name = 'RetriesExhausted';
}

export interface RetryHooks {
  /** Called before each wait, for the log and the metrics. */
  readonly onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
  readonly random?: () => number;
}

/**
 * Runs `operation` until it succeeds, fails for good (`PushRejected`, rethrown at once), or has
 * failed `maxAttempts` times (`RetriesExhausted`). Waiting stops when `signal` aborts.
 */
export async function retryTransient<T>(operation: () => Promise<T>, policy: RetryPolicy, signal: AbortSignal, hooks: RetryHooks = {}): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    signal.throwIfAborted();
    try {
      return await operation();
    } catch (error) {
      if (error instanceof PushRejected) throw error;
      if (attempt >= policy.maxAttempts) {
        throw new RetriesExhausted(`gave up after ${attempt} attempts: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
      }
      const delayMs = retryDelayMs(attempt, policy, (hooks.random ?? Math.random)(), retryAfterOf(error));
      hooks.onRetry?.(error, attempt, delayMs);
      await abortableSleep(delayMs, signal);
    }
  }
}

function retryAfterOf(error: unknown): number | null {
  const value = (error as { retryAfterMs?: unknown } | null)?.retryAfterMs;
  return typeof value === 'number' ? value : null;
}
