import { describe, it, expect } from '@jest/globals';
import { RequestUploadQuery } from './uploadQuery';

const valid = { title: 'Holiday in Porto 🎉', fileName: 'holiday.mp4' };

describe('the query of an upload', () => {
  it('accepts ordinary titles and file names, emoji and accents included', () => {
    expect(RequestUploadQuery.parse(valid)).toEqual(valid);
    expect(RequestUploadQuery.parse({ title: 'Été 👨‍👩‍👧', fileName: 'été.mov' })).toBeTruthy();
  });

  it.each([
    ['a missing title', { fileName: 'a.mp4' }],
    ['a blank title', { ...valid, title: '   ' }],
    ['a title over 200 characters', { ...valid, title: 'x'.repeat(201) }],
    ['a title with a control character', { ...valid, title: 'a\nb' }],
    ['a file name with a slash', { ...valid, fileName: '../../etc/passwd' }],
    ['a file name with a backslash', { ...valid, fileName: '..\\..\\boot.ini' }],
    ['a file name that is ..', { ...valid, fileName: '..' }],
    ['a file name with NUL', { ...valid, fileName: 'a\u0000.mp4' }],
    ['a file name over 255 characters', { ...valid, fileName: `${'x'.repeat(252)}.mp4` }],
    ['a file name that hides its extension with a right-to-left override', { ...valid, fileName: 'clip\u202E4pm.exe' }],
    ['a title with a bidirectional isolate', { ...valid, title: 'a\u2066b' }],
    ['a repeated parameter', { ...valid, title: ['a', 'b'] }],
  ])('refuses %s', (_name, query) => {
    expect(RequestUploadQuery.safeParse(query).success).toBe(false);
  });
});
