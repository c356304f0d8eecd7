import { abortableSleep } from '@reelay/platform';
import { sweepStaging, type SweepDeps, type SweepReport } from './sweepStaging';

export interface StagingSweeper {
  /** Runs one sweep now (after the one in flight, if any). */
  sweepNow(): Promise<SweepReport>;
  /** Stops after the sweep in flight, if any. */
  stop(): Promise<void>;
}

/**
 * Sweeps staging at start (the usual moment to find what a crash left) and then every
 * `intervalMs`. A failed sweep is logged and tried again at the next interval. Sweeps never
 * overlap; several command API processes sweeping one shared folder is safe (removal is
 * idempotent), just redundant.
 */
export function startStagingSweeper(deps: SweepDeps & { readonly intervalMs: number }): StagingSweeper {
  const stopping = new AbortController();
  let current: Promise<SweepReport | undefined> = Promise.resolve(undefined);

  const sweep = (): Promise<SweepReport> => {
    const next = current.then(() => sweepStaging(deps));
    current = next.catch((error: unknown) => {
      deps.logger.error({ err: error }, 'staging sweep failed; trying again at the next interval');
      return undefined;
    });
    return next;
  };

  const loop = (async () => {
    while (!stopping.signal.aborted) {
      const report = await sweep().catch(() => undefined);
      if (report && (report.removed.length > 0 || report.partialsRemoved > 0)) {
        deps.logger.info({ removed: report.removed.length, partialsRemoved: report.partialsRemoved, examined: report.examined }, 'staging swept');
      }
      await abortableSleep(deps.intervalMs, stopping.signal);
    }
  })();

  return {
    sweepNow: sweep,
    async stop() {
      stopping.abort();
      await loop;
      await current;
    },
  };
}
