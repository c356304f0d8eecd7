import { PushRejected } from '../push/pushSender';

/** How often and how patiently a transient push failure is retried within one batch. */
export interface RetryPolicy {
  /** Attempts in all, the first included. */
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 5, baseDelayMs: 500, maxDelayMs: 15_000 };

/**
 * The wait before attempt `attempt + 1` (attempt counts from 1): exponential with "equal jitter",
 * so copies that failed together do not come back together, never less than half the step. A
 * provider's `Retry-After` wins when it asks for longer, up to `maxDelayMs`.
 */
export function backoffDelayMs(attempt: number, policy: RetryPolicy, random: number, retryAfterMs: number | null = null): number {
  const step = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  const jittered = step / 2 + (step / 2) * random;
  return Math.round(Math.min(policy.maxDelayMs, Math.max(jittered, retryAfterMs ?? 0)));
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
      const delayMs = backoffDelayMs(attempt, policy, (hooks.random ?? Math.random)(), retryAfterOf(error));
      hooks.onRetry?.(error, attempt, delayMs);
      await sleep(delayMs, signal);
    }
  }
}

function retryAfterOf(error: unknown): number | null {
  const value = (error as { retryAfterMs?: unknown } | null)?.retryAfterMs;
  return typeof value === 'number' ? value : null;
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason as Error);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason as Error);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
