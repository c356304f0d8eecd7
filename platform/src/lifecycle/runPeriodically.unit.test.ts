import { describe, expect, it } from '@jest/globals';
import { runPeriodically } from './runPeriodically';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A task that counts its runs and how many ran at once, each taking `takesMs`. */
function countingTask(takesMs: number) {
  const seen = { runs: 0, running: 0, mostAtOnce: 0 };
  const task = async () => {
    seen.runs += 1;
    seen.running += 1;
    seen.mostAtOnce = Math.max(seen.mostAtOnce, seen.running);
    await sleep(takesMs);
    seen.running -= 1;
    return seen.runs;
  };
  return { task, seen };
}

describe('runPeriodically', () => {
  const quiet = { onError: () => undefined };

  it('runs at start when asked to, and otherwise only after the first interval', async () => {
    const atStart = countingTask(0);
    const later = countingTask(0);
    const a = runPeriodically(atStart.task, { ...quiet, intervalMs: 10_000, runAtStart: true });
    const b = runPeriodically(later.task, { ...quiet, intervalMs: 10_000, runAtStart: false });
    await sleep(50);
    await Promise.all([a.stop(), b.stop()]);
    expect(atStart.seen.runs).toBe(1);
    expect(later.seen.runs).toBe(0);
  });

  it('never overlaps runs: a run slower than the interval delays the next one instead of piling up', async () => {
    const slow = countingTask(100);
    const periodic = runPeriodically(slow.task, { ...quiet, intervalMs: 10, runAtStart: true });
    const asked = [periodic.runNow(), periodic.runNow()];
    await sleep(350);
    await periodic.stop();
    expect(slow.seen.mostAtOnce).toBe(1);
    // 350 ms of 100 ms runs with 10 ms pauses: three or four runs; a setInterval would have queued ~35.
    expect(slow.seen.runs).toBeGreaterThanOrEqual(3);
    expect(slow.seen.runs).toBeLessThanOrEqual(4);
    // Each runNow waited its turn behind the run in flight, and then ran on its own.
    expect(await Promise.all(asked)).toEqual([2, 3]);
  });

  it('hands a failed run to onError and runs again at the next interval', async () => {
    const errors: unknown[] = [];
    let runs = 0;
    const periodic = runPeriodically(
      async () => {
        runs += 1;
        if (runs === 1) throw new Error('first run fails');
        return runs;
      },
      { intervalMs: 10, runAtStart: true, onError: (error) => errors.push(error) },
    );
    await sleep(60);
    await periodic.stop();
    expect(errors).toEqual([new Error('first run fails')]);
    expect(runs).toBeGreaterThanOrEqual(2);
  });

  it('stops after the run in flight and starts no other', async () => {
    const slow = countingTask(50);
    const periodic = runPeriodically(slow.task, { ...quiet, intervalMs: 10, runAtStart: true });
    await sleep(10);
    await periodic.stop();
    expect(slow.seen.running).toBe(0);
    const runsAtStop = slow.seen.runs;
    await sleep(50);
    expect(slow.seen.runs).toBe(runsAtStop);
  });
});
