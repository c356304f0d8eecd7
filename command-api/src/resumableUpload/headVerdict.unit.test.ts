import { describe, it, expect } from '@jest/globals';
import { HEAD_BYTES } from '@reelay/platform';
import { headBytesOf, headVerdict } from './headVerdict';

const mp4Head = (size: number) => {
  const bytes = Buffer.alloc(size, 7);
  bytes.write('\x00\x00\x00\x18ftypisom', 0, 'latin1');
  return bytes;
};
const tsHead = (size: number) => {
  const bytes = Buffer.alloc(size, 0x20);
  for (let at = 0; at < size; at += 188) bytes[at] = 0x47;
  return bytes;
};

describe('headVerdict', () => {
  it('cannot tell from fewer than 12 bytes', () => {
    expect(headVerdict(mp4Head(11), HEAD_BYTES)).toBe('undecided');
    expect(headVerdict(Buffer.from('hello world'), HEAD_BYTES)).toBe('undecided');
  });

  it('decides a magic number, or its absence, from 12 bytes', () => {
    expect(headVerdict(mp4Head(12), HEAD_BYTES)).toBe('video');
    expect(headVerdict(mp4Head(200), HEAD_BYTES)).toBe('video');
    expect(headVerdict(Buffer.from('not a video at all'), HEAD_BYTES)).toBe('not-video');
  });

  it('waits for all the bytes it needs when the head could be an MPEG transport stream', () => {
    expect(headVerdict(tsHead(400), HEAD_BYTES)).toBe('undecided');
    expect(headVerdict(tsHead(HEAD_BYTES), HEAD_BYTES)).toBe('video');
    const fake = Buffer.alloc(HEAD_BYTES, 0x20);
    fake[0] = 0x47;
    expect(headVerdict(fake.subarray(0, 4000), HEAD_BYTES)).toBe('undecided');
    expect(headVerdict(fake, HEAD_BYTES)).toBe('not-video');
  });

  it('judges a whole upload smaller than the head on all of it', () => {
    expect(headBytesOf(500)).toBe(500);
    expect(headBytesOf(undefined)).toBe(HEAD_BYTES);
    expect(headBytesOf(10_000_000)).toBe(HEAD_BYTES);
    expect(headVerdict(tsHead(500), 500)).toBe('video');
    expect(headVerdict(mp4Head(10), 10)).toBe('not-video');
  });
});
