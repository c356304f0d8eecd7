import { describe, it, expect } from '@jest/globals';
import { describeMedia, formatDuration } from './mediaSummary';

const facts = { container: 'mp4', durationMs: 42_400, width: 1920, height: 1080, rotation: 0 as const, frameRate: 30, videoCodec: 'h264', audioCodec: 'aac' };

describe('describeMedia', () => {
  it('shows duration and the shorter side, as "0:42 · 1080p"', () => {
    expect(describeMedia(facts)).toBe('0:42 · 1080p');
    expect(describeMedia({ ...facts, width: 1080, height: 1920, rotation: 90 })).toBe('0:42 · 1080p');
  });
  it('leaves out what the container did not say, and says nothing before the probe', () => {
    expect(describeMedia({ ...facts, durationMs: null })).toBe('1080p');
    expect(describeMedia(null)).toBe('');
  });
  it('writes hours only when there are some', () => {
    expect([formatDuration(0), formatDuration(59_600), formatDuration(725_000), formatDuration(3_723_000)]).toEqual(['0:00', '1:00', '12:05', '1:02:03']);
  });
});
