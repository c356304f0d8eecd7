import { describe, it, expect } from '@jest/globals';
import { backoffDelay } from '@reelay/contracts';
import { ProgressThrottle, percentageOf } from './progressThrottle';
import { JOB_RETRY_BACKOFF, classifyFailure } from './classifyFailure';

describe('throttling progress', () => {
  it('reports at most once per interval and only when the whole percent grows', () => {
    const throttle = new ProgressThrottle(1000);
    expect(throttle.next(10, 100, 0)).toBe(10);
    expect(throttle.next(20, 100, 500)).toBeUndefined();
    expect(throttle.next(20, 100, 1000)).toBe(20);
    expect(throttle.next(20, 100, 5000)).toBeUndefined();
    expect(throttle.next(100, 100, 9000)).toBeUndefined();
  });

  it('yields at most a hundred reports for thousands of callbacks', () => {
    const throttle = new ProgressThrottle(0);
    let reports = 0;
    for (let i = 1; i <= 10_000; i += 1) if (throttle.next(i, 10_000, i) !== undefined) reports += 1;
    expect(reports).toBe(99);
  });

  it('floors percentages and copes with an empty video', () => {
    expect(percentageOf(999, 1000)).toBe(99);
    expect(percentageOf(0, 0)).toBe(0);
  });
});

describe('classifying failures', () => {
  it('retries server errors, throttling and resets', () => {
    expect(classifyFailure({ $metadata: { httpStatusCode: 503 }, message: 'slow down' }).retryable).toBe(true);
    expect(classifyFailure({ $metadata: { httpStatusCode: 429 } }).retryable).toBe(true);
    expect(classifyFailure(Object.assign(new Error('reset'), { code: 'ECONNRESET' })).retryable).toBe(true);
  });

  it('gives up at once on access denied, a missing bucket or a missing staged copy', () => {
    expect(classifyFailure({ name: 'AccessDenied', $metadata: { httpStatusCode: 403 } })).toMatchObject({ retryable: false, code: 'STORAGE_ACCESS_DENIED' });
    expect(classifyFailure({ name: 'NoSuchBucket', $metadata: { httpStatusCode: 404 } })).toMatchObject({ retryable: false, code: 'STORAGE_BUCKET_MISSING' });
    expect(classifyFailure(Object.assign(new Error('gone'), { code: 'ENOENT' }))).toMatchObject({ retryable: false, code: 'STAGED_COPY_MISSING' });
  });

  it('hands a failed job back after 1 s doubling to 30 s, never less than half of that', () => {
    expect(backoffDelay(1, JOB_RETRY_BACKOFF, 0)).toBe(500);
    expect(backoffDelay(1, JOB_RETRY_BACKOFF, 1)).toBe(1000);
    expect(backoffDelay(3, JOB_RETRY_BACKOFF, 1)).toBe(4000);
    expect(backoffDelay(20, JOB_RETRY_BACKOFF, 1)).toBe(30_000);
  });
});
