import { describe, it, expect } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { happyPath, recordedStream } from '../testing/videoEventFixtures';
import { applyToVideoInfo } from './applyToVideoInfo';
import { foldBatch } from './foldBatch';
import type { VideoInfo } from './videoInfo';

describe('foldBatch', () => {
  const a = randomUUID();
  const b = randomUUID();
  const streamA = recordedStream(a, happyPath(a, 'user-a'));
  const streamB = recordedStream(b, happyPath(b, 'user-b'));

  it('returns the rows of every video the batch changed, interleaved streams included', () => {
    const events = [streamA[0], streamB[0], streamA[1], streamB[1]].map((event) => ({ videoId: event!.streamName.slice(6), event: event! }));
    const { changed, gaps } = foldBatch(new Map(), events);
    expect([...changed.keys()].sort()).toEqual([a, b].sort());
    expect(changed.get(a)).toMatchObject({ status: 'LOADING', lastRevision: 1 });
    expect(gaps.size).toBe(0);
  });

  it('leaves out rows the batch did not change', () => {
    const rowA = streamA.reduce(applyToVideoInfo, undefined) as VideoInfo;
    const { changed } = foldBatch(new Map([[a, rowA]]), streamA.map((event) => ({ videoId: a, event })));
    expect(changed.size).toBe(0);
  });

  it('is idempotent when delivered twice', () => {
    const batch = [...streamA, ...streamB].map((event) => ({ videoId: event.streamName.slice(6), event }));
    const first = foldBatch(new Map(), batch);
    const second = foldBatch(first.changed, batch);
    expect(second.changed.size).toBe(0);
    expect(second.gaps.size).toBe(0);
  });

  it('reports a video whose events skip a revision', () => {
    const batch = [streamA[0]!, streamA[2]!].map((event) => ({ videoId: a, event }));
    const { changed, gaps } = foldBatch(new Map(), batch);
    expect(changed.get(a)).toMatchObject({ lastRevision: 0 });
    expect([...gaps]).toEqual([a]);
  });
});
