import { describe, it, expect } from '@jest/globals';
import { ExpiringLru } from './expiringLru';

describe('ExpiringLru', () => {
  it('answers an entry until its expiry, then forgets it', () => {
    let now = 0;
    const lru = new ExpiringLru<string, number>({ maxEntries: 10, now: () => now });
    lru.set('a', 1, 1000);
    lru.set('b', 2, Number.POSITIVE_INFINITY);
    now = 999;
    expect(lru.get('a')).toBe(1);
    now = 1000;
    expect(lru.get('a')).toBeUndefined();
    expect(lru.size).toBe(1);
    now = 10 ** 12;
    expect(lru.get('b')).toBe(2);
  });

  it('forgets the least recently used entry beyond its size', () => {
    const lru = new ExpiringLru<string, number>({ maxEntries: 2 });
    lru.set('a', 1, Number.POSITIVE_INFINITY);
    lru.set('b', 2, Number.POSITIVE_INFINITY);
    lru.get('a');
    lru.set('c', 3, Number.POSITIVE_INFINITY);
    expect([lru.get('a'), lru.get('b'), lru.get('c')]).toEqual([1, undefined, 3]);
  });

  it('deletes by key, by value and all at once', () => {
    const lru = new ExpiringLru<string, { user: string }>({ maxEntries: 10 });
    lru.set('a', { user: 'alice' }, Number.POSITIVE_INFINITY);
    lru.set('b', { user: 'bob' }, Number.POSITIVE_INFINITY);
    lru.set('c', { user: 'alice' }, Number.POSITIVE_INFINITY);
    lru.deleteWhere((value) => value.user === 'alice');
    expect(lru.size).toBe(1);
    lru.delete('b');
    expect(lru.size).toBe(0);
    lru.set('d', { user: 'dan' }, Number.POSITIVE_INFINITY);
    lru.clear();
    expect(lru.get('d')).toBeUndefined();
  });
});
