import { describe, it, expect } from '@jest/globals';
import { VideoId } from '@reelay/contracts';
import { stagingNameFor, videoIdOfStagingName } from './stagingName';

const videoId = VideoId.parse('6f1c1f0e-8a4b-4c3e-9a53-2f1d2f3c4b5a');

describe('staging names', () => {
  it('start with the video id, so the sweeper can find the stream that refers to them', () => {
    const name = stagingNameFor(videoId);
    expect(name).toMatch(/^6f1c1f0e-8a4b-4c3e-9a53-2f1d2f3c4b5a-[0-9a-f]{8}$/);
    expect(videoIdOfStagingName(name)).toBe(videoId);
  });

  it('differ between two writes for one video', () => {
    expect(stagingNameFor(videoId)).not.toBe(stagingNameFor(videoId));
  });

  it.each(['', 'random-file', `${videoId}`, `${videoId}x1234`, 'zzzzzzzz-8a4b-4c3e-9a53-2f1d2f3c4b5a-12345678'])('find no video in %j', (name) => {
    expect(videoIdOfStagingName(name)).toBeUndefined();
  });
});
