import { describe, it, expect } from '@jest/globals';
import { VideoId } from '@reelay/contracts';
import { videoIdForIdempotencyKey } from './idempotencyKey';
import { decideReplay } from './idempotentReplay';

describe('videoIdForIdempotencyKey', () => {
  it('gives the same valid video id for the same user and key', () => {
    const id = videoIdForIdempotencyKey('alice', 'k-1');
    expect(VideoId.safeParse(id).success).toBe(true);
    expect(videoIdForIdempotencyKey('alice', 'k-1')).toBe(id);
  });

  it('gives other ids for another key or another user', () => {
    const id = videoIdForIdempotencyKey('alice', 'k-1');
    expect(videoIdForIdempotencyKey('alice', 'k-2')).not.toBe(id);
    expect(videoIdForIdempotencyKey('bob', 'k-1')).not.toBe(id);
  });
});

describe('decideReplay', () => {
  const first = { title: 'Holiday', fileName: 'holiday.mp4', sha256: 'a'.repeat(64), sizeBytes: 1000, deleted: false };

  it('replays the same upload, after hashing the body when title and file name match', () => {
    expect(decideReplay(first, { title: 'Holiday', fileName: 'holiday.mp4', sizeBytes: 1000 })).toEqual({ kind: 'compare-body' });
    expect(decideReplay(first, { title: 'Holiday', fileName: 'holiday.mp4', sha256: first.sha256, sizeBytes: 1000 })).toEqual({ kind: 'replay' });
  });

  it('names every part of the fingerprint that differs', () => {
    expect(decideReplay(first, { title: 'Other', fileName: 'other.mp4', sha256: 'b'.repeat(64) })).toEqual({ kind: 'different', fields: ['title', 'fileName', 'body'] });
    // A declared length that differs settles it without reading the body.
    expect(decideReplay(first, { title: 'Holiday', fileName: 'holiday.mp4', sizeBytes: 999 })).toEqual({ kind: 'different', fields: ['body'] });
  });

  it('refuses a key whose video was deleted, whatever the request', () => {
    expect(decideReplay({ ...first, deleted: true }, { title: 'Holiday', fileName: 'holiday.mp4', sha256: first.sha256 })).toEqual({ kind: 'deleted' });
  });
});
