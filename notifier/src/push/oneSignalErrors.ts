import { ApiException } from '@onesignal/node-onesignal';
import { PushRejected, PushUnavailable } from './pushSender';

/**
 * Sorts what the OneSignal client threw into the port's two kinds of failure, in one place.
 *
 * - 408, 429 and 5xx: OneSignal is busy or down; the same push may succeed later.
 * - 401 and 403: our API key is wrong. That is a fault of this deployment, not of the push: it
 *   counts as transient so the notifier stalls (and says so) instead of marking every user's
 *   push as failed for good until someone fixes the key.
 * - any other 4xx: this push can never succeed (invalid app id, malformed body).
 * - anything else (connection refused, reset, timeout, a body that is not JSON): transient.
 */
export function classifyOneSignalError(error: unknown): PushRejected | PushUnavailable {
  if (error instanceof PushRejected || error instanceof PushUnavailable) return error;
  if (error instanceof ApiException) {
    const status = error.code;
    const detail = describeApiException(error);
    if (status === 408 || status === 429 || status >= 500 || status === 401 || status === 403) {
      return new PushUnavailable(`OneSignal answered ${status}: ${detail}`, status, retryAfterMs(error.headers), { cause: error });
    }
    return new PushRejected(`OneSignal rejected the push (${status}): ${detail}`, status, { cause: error });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new PushUnavailable(`OneSignal could not be reached: ${message}`, null, null, { cause: error });
}

function describeApiException(error: ApiException<unknown>): string {
  const messages = error.errorMessages;
  return messages.length > 0 ? messages.join('; ') : 'no error message';
}

/** `Retry-After` in milliseconds: delta-seconds or an HTTP date; null when absent or unreadable. */
export function retryAfterMs(headers: Readonly<Record<string, string>> | undefined, now: number = Date.now()): number | null {
  const value = Object.entries(headers ?? {}).find(([name]) => name.toLowerCase() === 'retry-after')?.[1]?.trim();
  if (!value) return null;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}
