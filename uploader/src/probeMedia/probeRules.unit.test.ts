import { describe, it, expect } from '@jest/globals';
import { decideProbe, type VideoState } from '@reelay/contracts';
import { mediaFactsOf, UnreadableContainer } from './mediaFacts';

const state = (overrides: Partial<VideoState>): VideoState => ({
  videoId: 'v',
  userId: 'ann',
  status: 'UPLOADED',
  metaInfo: { title: 't', fileName: 'f.mp4', contentType: 'video/mp4', sizeBytes: 1, sha256: '0'.repeat(64) },
  stagingRef: 'file:///x',
  media: { probe: 'unknown' },
  requestedAt: '2026-01-01T00:00:00.000Z',
  revision: 3,
  attempt: 1,
  bucket: 'b',
  objectKey: 'videos/v',
  uploadedBytes: 1,
  uploadedPercentage: 100,
  uploadedAt: '2026-01-01T00:00:01.000Z',
  failure: null,
  notifiedEventIds: [],
  ...overrides,
});

describe('decideProbe', () => {
  it('probes an uploaded video once', () => {
    expect(decideProbe(state({}))).toEqual({ action: 'probe', bucket: 'b', objectKey: 'videos/v' });
    expect(decideProbe(state({ media: { probe: 'failed', reason: 'x' } })).action).toBe('skip');
  });
  it('skips a video deleted before its probe, and rejects an unknown one', () => {
    expect(decideProbe(state({ status: 'DELETED' }))).toEqual({ action: 'skip', reason: 'video is DELETED' });
    expect(decideProbe(undefined).action).toBe('reject');
  });
});

describe('mediaFactsOf', () => {
  it('names codecs as ffmpeg does and turns rotation into a clockwise quarter turn', () => {
    const facts = mediaFactsOf([
      { '@type': 'General', Format: 'MPEG-4', Format_Profile: 'QuickTime', Duration: '42.0421' },
      { '@type': 'Video', Format: 'HEVC', Width: 1920, Height: 1080, Rotation: '90.000', FrameRate: '29.970' },
      { '@type': 'Audio', Format: 'AAC' },
    ]);
    expect(facts).toEqual({ container: 'mov', durationMs: 42042, width: 1920, height: 1080, rotation: 90, frameRate: 29.97, videoCodec: 'hevc', audioCodec: 'aac' });
  });
  it('refuses a file with no recognised container or no video', () => {
    expect(() => mediaFactsOf([{ '@type': 'General' }])).toThrow(UnreadableContainer);
    expect(() => mediaFactsOf([{ '@type': 'General', Format: 'MPEG Audio' }, { '@type': 'Audio', Format: 'MPEG Audio' }])).toThrow(UnreadableContainer);
  });
});
