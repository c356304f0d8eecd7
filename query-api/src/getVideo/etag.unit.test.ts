import { describe, it, expect } from '@jest/globals';
import { ERASED_TEXT } from '@reelay/contracts';
import { ifNoneMatchMatches, videoEtag as etagOf } from './etag';

const meta_info = { title: 'Lake', fileName: 'lake.mp4' };
const videoEtag = (video_id: string, last_revision: number) => etagOf({ video_id, last_revision, meta_info });

describe('video ETags', () => {
  const etag = videoEtag('6f1c1f0e-8a4b-4c3e-9a53-2f1d2f3c4b5a', 3);

  it('quote the video id and revision', () => {
    expect(etag).toBe('"6f1c1f0e-8a4b-4c3e-9a53-2f1d2f3c4b5a.3"');
  });

  it('differ between revisions and between videos', () => {
    expect(videoEtag('a', 3)).not.toBe(videoEtag('a', 4));
    expect(videoEtag('a', 3)).not.toBe(videoEtag('b', 3));
  });

  it('change when the user is forgotten, at the same revision, and only when both fields are erased', () => {
    const erased = etagOf({ video_id: 'a', last_revision: 3, meta_info: { title: ERASED_TEXT, fileName: ERASED_TEXT } });
    expect(erased).toBe('"a.3.erased"');
    expect(ifNoneMatchMatches(videoEtag('a', 3), erased)).toBe(false);
    expect(etagOf({ video_id: 'a', last_revision: 3, meta_info: { title: ERASED_TEXT, fileName: 'typed.mp4' } })).toBe(videoEtag('a', 3));
  });

  it('match an If-None-Match naming them, weak or strong, alone or in a list', () => {
    expect(ifNoneMatchMatches(etag, etag)).toBe(true);
    expect(ifNoneMatchMatches(`W/${etag}`, etag)).toBe(true);
    expect(ifNoneMatchMatches(`"other", ${etag}`, etag)).toBe(true);
    expect(ifNoneMatchMatches('*', etag)).toBe(true);
  });

  it('do not match a missing header or other tags', () => {
    expect(ifNoneMatchMatches(undefined, etag)).toBe(false);
    expect(ifNoneMatchMatches('', etag)).toBe(false);
    expect(ifNoneMatchMatches('"other"', etag)).toBe(false);
    expect(ifNoneMatchMatches(videoEtag('6f1c1f0e-8a4b-4c3e-9a53-2f1d2f3c4b5a', 2), etag)).toBe(false);
  });
});
