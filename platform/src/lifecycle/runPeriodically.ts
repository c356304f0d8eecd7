import { abortableSleep } from '@reelay/contracts';

export interface PeriodicOptions {
  /** The pause between the end of one run and the start of the next. */
  readonly intervalMs: number;
  /** Run once at start (a sweep finds at once what a crash left) rather than after the first pause. */
  readonly runAtStart: boolean;
  /** A failed run is handed here (to be logged) and tried again at the next interval. */
  readonly onError: (error: unknown) => void;
}

export interface PeriodicTask<T> {
  /** Runs the task now, after the run in flight if any; rejects with that run's own failure. */
  runNow(): Promise<T>;
  /** Stops the timed runs and waits for the one in flight. */
  stop(): Promise<void>;
}

/**
 * Runs `task` every `intervalMs` until stopped. Runs never overlap: the pause starts when a run
 * ends, so a run slower than the interval delays the next instead of piling up behind it, and
 * `runNow` waits its turn.
 */
export function runPeriodically<T>(task: () => Promise<T>, options: PeriodicOptions): PeriodicTask<T> {
  const stopping = new AbortController();
  let current: Promise<unknown> = Promise.resolve();
  const runNow = (): Promise<T> => {
    const next = current.then(task);
    current = next.catch(options.onError);
    return next;
  };
  const loop = (async () => {
    if (!options.runAtStart) await abortableSleep(options.intervalMs, stopping.signal);
    while (!stopping.signal.aborted) {
      await runNow().catch(() => undefined);
      await abortableSleep(options.intervalMs, stopping.signal);
    }
  })();
  return {
    runNow,
    async stop() {
      stopping.abort();
      await loop;
      await current;
    },
  };
}
