import { describe, it, expect } from '@jest/globals';
import { ApiException } from '@onesignal/node-onesignal';
import { classifyOneSignalError, retryAfterMs } from './oneSignalErrors';
import { PushRejected, PushUnavailable } from './pushSender';

const apiError = (code: number, headers: Record<string, string> = {}) => new ApiException<unknown>(code, 'x', { errors: ['why'] }, headers);

describe('classifyOneSignalError', () => {
  it.each([400, 404, 422])('treats %i as a rejection of this push, keeping the cause', (code) => {
    const error = apiError(code);
    const classified = classifyOneSignalError(error);
    expect(classified).toBeInstanceOf(PushRejected);
    expect(classified.status).toBe(code);
    expect(classified.message).toContain('why');
    expect(classified.cause).toBe(error);
  });

  it.each([408, 429, 500, 502, 503, 401, 403])('treats %i as transient', (code) => {
    expect(classifyOneSignalError(apiError(code))).toBeInstanceOf(PushUnavailable);
  });

  it('passes on how long OneSignal asked us to wait', () => {
    const classified = classifyOneSignalError(apiError(429, { 'retry-after': '7' }));
    expect(classified).toBeInstanceOf(PushUnavailable);
    expect((classified as PushUnavailable).retryAfterMs).toBe(7000);
  });

  it('treats a network error as transient', () => {
    const error = new TypeError('fetch failed');
    const classified = classifyOneSignalError(error);
    expect(classified).toBeInstanceOf(PushUnavailable);
    expect(classified.cause).toBe(error);
  });
});

describe('retryAfterMs', () => {
  it('reads seconds and HTTP dates, case-insensitively', () => {
    expect(retryAfterMs({ 'Retry-After': '3' })).toBe(3000);
    expect(retryAfterMs({ 'retry-after': 'Wed, 01 Jan 2025 00:00:10 GMT' }, Date.parse('2025-01-01T00:00:00Z'))).toBe(10_000);
    expect(retryAfterMs({ 'retry-after': 'soon' })).toBeNull();
    expect(retryAfterMs({})).toBeNull();
  });
});
