import { describe, expect, it } from '@jest/globals';
import { abortableSleep } from './abortableSleep';
import { backoffDelay, type BackoffPolicy } from './backoff';

describe('backoffDelay', () => {
  const steps = { initialMs: 100, maxMs: 1000 };

  it('doubles the step after each failure up to the maximum', () => {
    const none: BackoffPolicy = { ...steps, jitter: 'none' };
    expect([1, 2, 3, 4, 5].map((n) => backoffDelay(n, none))).toEqual([100, 200, 400, 800, 1000]);
    expect(backoffDelay(2000, none)).toBe(1000);
  });

  it('with full jitter, waits anywhere from nothing up to the step', () => {
    const full: BackoffPolicy = { ...steps, jitter: 'full' };
    expect(backoffDelay(3, full, 0)).toBe(0);
    expect(backoffDelay(3, full, 0.5)).toBe(200);
    expect(backoffDelay(3, full, 0.999)).toBe(400);
    expect(backoffDelay(20, full, 0.999)).toBe(999);
  });

  it('with equal jitter, never waits less than half the step', () => {
    const equal: BackoffPolicy = { ...steps, jitter: 'equal' };
    expect(backoffDelay(3, equal, 0)).toBe(200);
    expect(backoffDelay(3, equal, 0.5)).toBe(300);
    expect(backoffDelay(3, equal, 0.999)).toBe(400);
    expect(backoffDelay(20, equal, 0)).toBe(500);
  });
});

describe('abortableSleep', () => {
  it('resolves after the time given', async () => {
    const started = Date.now();
    await abortableSleep(30, new AbortController().signal);
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);
  });

  it('resolves as soon as the signal aborts, and at once when it already has', async () => {
    const controller = new AbortController();
    const started = Date.now();
    const sleeping = abortableSleep(60_000, controller.signal);
    setTimeout(() => controller.abort(), 10);
    await sleeping;
    await abortableSleep(60_000, controller.signal);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
