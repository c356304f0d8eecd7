import { describe, it, expect } from '@jest/globals';
import type { VideoInfoRecord } from '@reelay/projector';
import { VideoRecordCache } from './videoRecordCache';

function record(videoId: string, lastRevision = 0): VideoInfoRecord {
  return {
    video_id: videoId,
    user_id: 'alice',
    status: 'PENDING',
    uploaded_percentage: 0,
    meta_info: { title: 't', fileName: 'f.mp4', contentType: 'video/mp4', sizeBytes: 1, sha256: '0'.repeat(64) },
    requested_at: new Date(0),
    uploaded_at: null,
    failure_reason: null,
    last_revision: lastRevision,
  };
}

function enabledCache(options: { maxEntries?: number; ttlMs?: number; now?: () => number } = {}): VideoRecordCache {
  const cache = new VideoRecordCache({ maxEntries: options.maxEntries ?? 10, ttlMs: options.ttlMs ?? 1000, now: options.now });
  cache.setEnabled(true);
  return cache;
}

describe('VideoRecordCache', () => {
  it('serves a remembered row until it is invalidated', () => {
    const cache = enabledCache();
    cache.remember('a', record('a'), cache.stamp());

    expect(cache.get('a')).toEqual(record('a'));
    cache.invalidate('a');
    expect(cache.get('a')).toBeUndefined();
  });

  it('refuses a row whose read began before a notification arrived', () => {
    const cache = enabledCache();
    const stamp = cache.stamp();
    cache.invalidate('a'); // the change lands while the read is under way

    cache.remember('a', record('a', 1), stamp);

    expect(cache.get('a')).toBeUndefined();
  });

  it('keeps nothing while notifications cannot arrive, and forgets everything when they stop', () => {
    const cache = new VideoRecordCache({ maxEntries: 10, ttlMs: 1000 });
    cache.remember('a', record('a'), cache.stamp());
    expect(cache.get('a')).toBeUndefined();

    cache.setEnabled(true);
    cache.remember('a', record('a'), cache.stamp());
    cache.setEnabled(false);

    expect(cache.get('a')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('drops a row once its time to live has passed', () => {
    let now = 0;
    const cache = enabledCache({ ttlMs: 100, now: () => now });
    cache.remember('a', record('a'), cache.stamp());

    now = 99;
    expect(cache.get('a')).toBeDefined();
    now = 100;
    expect(cache.get('a')).toBeUndefined();
  });

  it('evicts the least recently read row when full', () => {
    const cache = enabledCache({ maxEntries: 2 });
    cache.remember('a', record('a'), cache.stamp());
    cache.remember('b', record('b'), cache.stamp());
    cache.get('a');

    cache.remember('c', record('c'), cache.stamp());

    expect(cache.get('a')).toBeDefined();
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('c')).toBeDefined();
    expect(cache.size).toBe(2);
  });

  it('is off with room for no rows', () => {
    const cache = enabledCache({ maxEntries: 0 });
    cache.remember('a', record('a'), cache.stamp());
    expect(cache.get('a')).toBeUndefined();
  });
});
