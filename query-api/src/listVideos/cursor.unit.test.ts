import { describe, it, expect } from '@jest/globals';
import { Validation } from '@reelay/contracts';
import { decodeCursor, encodeCursor } from './cursor';

describe('list cursors', () => {
  const key = { requestedAt: '2024-05-01T10:00:00.123456+00:00', videoId: '6f1c1f0e-8a4b-4c3e-9a53-2f1d2f3c4b5a' };

  it('round-trip the sort key of a page, microseconds included', () => {
    expect(decodeCursor(encodeCursor(key))).toEqual(key);
  });

  it('are URL-safe', () => {
    expect(encodeCursor(key)).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it.each([
    ['not base64 JSON', 'definitely-not-a-cursor'],
    ['JSON of another shape', Buffer.from('{"a":1}').toString('base64url')],
    ['a bad timestamp', Buffer.from(JSON.stringify(['yesterday', key.videoId])).toString('base64url')],
    ['a bad video id', Buffer.from(JSON.stringify([key.requestedAt, 'nope'])).toString('base64url')],
  ])('refuse %s with a Validation error that says what to send', (_, cursor) => {
    expect(() => decodeCursor(cursor)).toThrow(Validation);
    expect(() => decodeCursor(cursor)).toThrow(/nextCursor of the previous page/);
  });
});
