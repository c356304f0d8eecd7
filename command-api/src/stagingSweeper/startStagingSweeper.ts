import { runPeriodically, type PeriodicTask } from '@reelay/platform';
import { sweepStaging, type SweepDeps, type SweepReport } from './sweepStaging';

/** `runNow` sweeps at once (after the sweep in flight, if any). */
export type StagingSweeper = PeriodicTask<SweepReport>;

/**
 * Sweeps staging at start (the usual moment to find what a crash left) and then every
 * `intervalMs`. A failed sweep is logged and tried again at the next interval. Several command
 * API processes sweeping one shared folder is safe (removal is idempotent), just redundant.
 */
export function startStagingSweeper(deps: SweepDeps & { readonly intervalMs: number }): StagingSweeper {
  const sweep = async (): Promise<SweepReport> => {
    const report = await sweepStaging(deps);
    if (report.removed.length > 0 || report.partialsRemoved > 0) {
      deps.logger.info({ removed: report.removed.length, partialsRemoved: report.partialsRemoved, examined: report.examined }, 'staging swept');
    }
    return report;
  };
  return runPeriodically(sweep, {
    intervalMs: deps.intervalMs,
    runAtStart: true,
    onError: (error) => deps.logger.error({ err: error }, 'staging sweep failed; trying again at the next interval'),
  });
}
