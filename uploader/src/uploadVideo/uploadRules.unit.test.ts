import { backoffDelay, type VideoState } from '@reelay/contracts';
import { decideUpload, ownsAttempt } from './decideUpload';
import { ProgressThrottle, percentageOf } from './progressThrottle';
import { JOB_RETRY_BACKOFF, classifyFailure } from './classifyFailure';

const state = (status: VideoState['status'], attempt = 0) => ({ status, attempt }) as VideoState;

describe('deciding an upload job', () => {
  it('starts the first attempt of a PENDING video and a new attempt of a LOADING one', () => {
    expect(decideUpload(state('PENDING'))).toEqual({ action: 'start', attempt: 1 });
    expect(decideUpload(state('LOADING', 2))).toEqual({ action: 'start', attempt: 3 });
  });

  it.each(['UPLOADED', 'DELETED', 'FAILED'] as const)('does not upload a %s video again', (status) => {
    expect(decideUpload(state(status, 1)).action).toBe('skip');
  });

  it('rejects a job for a video that does not exist', () => {
    expect(decideUpload(undefined).action).toBe('reject');
  });

  it('keeps an attempt only while it is the live one', () => {
    expect(ownsAttempt(state('LOADING', 2), 2)).toBe(true);
    expect(ownsAttempt(state('LOADING', 3), 2)).toBe(false);
    expect(ownsAttempt(state('DELETED', 2), 2)).toBe(false);
  });
});

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
