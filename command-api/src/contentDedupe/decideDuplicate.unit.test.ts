import { describe, it, expect } from '@jest/globals';
import type { ContentClaim } from './contentClaims';
import { CREATING_TIMEOUT_MS, decideDuplicate } from './decideDuplicate';

const claim = (overrides: Partial<ContentClaim>): ContentClaim => ({
  claimId: 'c',
  userId: 'ann',
  sha256: 'a'.repeat(64),
  state: 'receiving',
  videoId: 'v',
  uploadName: 'v-1234abcd',
  ageMs: 10,
  ...overrides,
});

describe('decideDuplicate', () => {
  it('points at a live video, whatever the claim still says of its upload', () => {
    for (const status of ['PENDING', 'LOADING', 'UPLOADED'] as const) {
      expect(decideDuplicate(claim({ state: 'recorded' }), { status, upload: undefined })).toEqual({ kind: 'video', videoId: 'v', status });
      expect(decideDuplicate(claim({}), { status, upload: 'gone' })).toEqual({ kind: 'video', videoId: 'v', status });
    }
  });

  it('does not reuse a deleted or failed video', () => {
    expect(decideDuplicate(claim({ state: 'recorded' }), { status: 'DELETED', upload: undefined })).toEqual({ kind: 'stale' });
    expect(decideDuplicate(claim({ state: 'recorded' }), { status: 'FAILED', upload: undefined })).toEqual({ kind: 'stale' });
  });

  it('points at an unfinished upload at its offset, and drops one that is gone', () => {
    expect(decideDuplicate(claim({}), { status: undefined, upload: { offset: 5, size: 9 } })).toEqual({ kind: 'upload', videoId: 'v', uploadName: 'v-1234abcd', offset: 5, size: 9 });
    expect(decideDuplicate(claim({}), { status: undefined, upload: 'gone' })).toEqual({ kind: 'stale' });
  });

  it('asks to wait while the same content is being created or finished', () => {
    expect(decideDuplicate(claim({ state: 'creating', videoId: null, uploadName: null }), { status: undefined, upload: undefined })).toEqual({ kind: 'busy' });
    expect(decideDuplicate(claim({}), { status: undefined, upload: 'finished' })).toEqual({ kind: 'busy' });
  });

  it('drops a creation that died long ago', () => {
    expect(decideDuplicate(claim({ state: 'creating', videoId: null, uploadName: null, ageMs: CREATING_TIMEOUT_MS + 1 }), { status: undefined, upload: undefined })).toEqual({ kind: 'stale' });
  });
});
