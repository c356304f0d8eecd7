import { describe, it, expect } from '@jest/globals';
import { PushRejected, PushUnavailable } from '../push/pushSender';
import { RetriesExhausted, retryDelayMs, retryTransient, type RetryPolicy } from './retryTransient';

const policy: RetryPolicy = { maxAttempts: 4, initialMs: 1, maxMs: 4, jitter: 'equal' };

/** An operation that fails with the given errors in turn, then succeeds. */
function failingWith(...errors: Error[]) {
  let calls = 0;
  const operation = async () => {
    calls += 1;
    const error = errors[calls - 1];
    if (error) throw error;
    return 'ok';
  };
  return { operation, calls: () => calls };
}

describe('retryDelayMs', () => {
  const slow: RetryPolicy = { maxAttempts: 5, initialMs: 100, maxMs: 1000, jitter: 'equal' };

  it('doubles the step each attempt, with jitter in its upper half', () => {
    expect(retryDelayMs(1, slow, 0)).toBe(50);
    expect(retryDelayMs(1, slow, 1)).toBe(100);
    expect(retryDelayMs(3, slow, 1)).toBe(400);
  });

  it('never exceeds the ceiling, even when the provider asks for longer', () => {
    expect(retryDelayMs(10, slow, 1)).toBe(1000);
    expect(retryDelayMs(1, slow, 0, 60_000)).toBe(1000);
  });

  it('waits at least as long as the provider asked', () => {
    expect(retryDelayMs(1, slow, 0, 700)).toBe(700);
  });
});

describe('retryTransient', () => {
  const signal = new AbortController().signal;

  it('retries transient failures until the operation succeeds', async () => {
    const attempt = failingWith(new PushUnavailable('503'), new PushUnavailable('503'));
    const retried: number[] = [];
    await expect(retryTransient(attempt.operation, policy, signal, { onRetry: (_e, n) => retried.push(n) })).resolves.toBe('ok');
    expect(attempt.calls()).toBe(3);
    expect(retried).toEqual([1, 2]);
  });

  it('gives up after the last attempt, keeping the last failure as cause', async () => {
    const last = new PushUnavailable('still down');
    const attempt = failingWith(new PushUnavailable('a'), new PushUnavailable('b'), new PushUnavailable('c'), last);
    const failure = await retryTransient(attempt.operation, policy, signal).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(RetriesExhausted);
    expect((failure as Error).cause).toBe(last);
    expect(attempt.calls()).toBe(4);
  });

  it('does not retry a rejection', async () => {
    const attempt = failingWith(new PushRejected('invalid app', 400));
    await expect(retryTransient(attempt.operation, policy, signal)).rejects.toBeInstanceOf(PushRejected);
    expect(attempt.calls()).toBe(1);
  });

  it('stops waiting as soon as it is aborted', async () => {
    const controller = new AbortController();
    const attempt = failingWith(new PushUnavailable('down'), new PushUnavailable('down'));
    const patient: RetryPolicy = { maxAttempts: 5, initialMs: 60_000, maxMs: 60_000, jitter: 'equal' };
    const running = retryTransient(attempt.operation, patient, controller.signal, { onRetry: () => controller.abort() });
    await expect(running).rejects.toThrow();
    expect(attempt.calls()).toBe(1);
  });
});
