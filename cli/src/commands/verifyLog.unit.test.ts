import { describe, it, expect } from '@jest/globals';
import { describeProblem, describeVerified } from './verifyLog';

describe('what verify log says', () => {
  it('names the event, its stream and revision, and what differs', () => {
    expect(describeProblem({ kind: 'content', position: '812/4031', streamName: 'video-1', revision: 3, detail: 'its content does not match its hash' })).toBe(
      'verify log: event at 812/4031 (stream video-1, revision 3): its content does not match its hash',
    );
  });

  it('names the seal position when the problem is not one event', () => {
    expect(describeProblem({ kind: 'seal', position: '900/5000', detail: 'seal 2 does not match' })).toBe('verify log: at 900/5000: seal 2 does not match');
    expect(describeProblem({ kind: 'missing-seal', detail: 'seal 2 is missing' })).toBe('verify log: seal 2 is missing');
  });

  it('counts what it verified, and says how many events no seal covers yet', () => {
    const verified = describeVerified({
      events: 10,
      streams: 1,
      seals: 2,
      unsealedEvents: 3,
      lastSeal: { sealNumber: 2, upTo: { commit: '900', prepare: '7' }, eventCount: 7, chainHash: 'ab'.repeat(32), sealedAt: '2026-11-28T12:00:00.000Z' },
    });
    expect(verified).toBe(
      `verified: 10 events in 1 stream, every hash chain intact; 2 seals match, the last (#2) up to 900/7, 7 events, hash ${'ab'.repeat(32)}; 3 newer events are chained but not sealed yet (reelay seal)`,
    );
    expect(describeVerified({ events: 0, streams: 0, seals: 0, unsealedEvents: 0 })).toBe('verified: 0 events in 0 streams, every hash chain intact; no seals yet');
  });
});
