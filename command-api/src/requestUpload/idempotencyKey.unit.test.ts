import { VideoId } from '@reelay/contracts';
import { videoIdForIdempotencyKey } from './idempotencyKey';

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
