import { describe, it, expect } from '@jest/globals';
import { detectVideoContainer } from './videoSignature';

const box = (type: string, brand: string) => Buffer.concat([Buffer.from([0, 0, 0, 0x20]), Buffer.from(type + brand), Buffer.alloc(64)]);

describe('detectVideoContainer', () => {
  it.each([
    ['mp4', box('ftyp', 'isom')],
    ['mp4', box('ftyp', '3gp5')],
    ['quicktime', box('ftyp', 'qt  ')],
    ['quicktime', box('moov', '\0\0\0\0')],
    ['matroska', Buffer.concat([Buffer.from([0x1a, 0x45, 0xdf, 0xa3]), Buffer.alloc(60)])],
    ['avi', Buffer.concat([Buffer.from('RIFF\x10\0\0\0AVI LIST', 'latin1'), Buffer.alloc(40)])],
    ['mpeg-ps', Buffer.concat([Buffer.from([0, 0, 1, 0xba]), Buffer.alloc(60)])],
    ['flv', Buffer.concat([Buffer.from('FLV\x01'), Buffer.alloc(60)])],
  ])('recognises %s', (expected, head) => {
    expect(detectVideoContainer(head)).toBe(expected);
  });

  it('recognises MPEG-TS by its sync bytes every 188 bytes', () => {
    const head = Buffer.alloc(188 * 3);
    for (let i = 0; i < 3; i += 1) head[i * 188] = 0x47;
    expect(detectVideoContainer(head)).toBe('mpeg-ts');
    head[188] = 0;
    expect(detectVideoContainer(head)).toBeUndefined();
  });

  it.each([
    ['text', Buffer.from('hello, this is not a video at all')],
    ['a PNG', Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(40)])],
    ['a RIFF WAVE', Buffer.concat([Buffer.from('RIFF\x10\0\0\0WAVEfmt ', 'latin1'), Buffer.alloc(40)])],
    ['too few bytes', Buffer.from('ftyp')],
    ['nothing', Buffer.alloc(0)],
  ])('refuses %s', (_name, head) => {
    expect(detectVideoContainer(head)).toBeUndefined();
  });
});
