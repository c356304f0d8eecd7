import { describe, it, expect } from '@jest/globals';
import { RateMeter } from './rateMeter';

describe('RateMeter', () => {
  it('gives the events of the window divided by its length, and forgets what fell out of it', () => {
    let now = 1_000_000;
    const meter = new RateMeter(10, () => now);
    meter.record(30);
    now += 4_000;
    meter.record(70);
    expect(meter.perSecond()).toBe(10);
    now += 7_000; // the first 30 are now 11 s old
    expect(meter.perSecond()).toBe(7);
    now += 10_000;
    expect(meter.perSecond()).toBe(0);
  });

  it('ignores empty batches', () => {
    const meter = new RateMeter(10, () => 0);
    meter.record(0);
    expect(meter.perSecond()).toBe(0);
  });
});
