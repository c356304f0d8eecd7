import { runPeriodically, type Logger, type PeriodicTask } from '@reelay/platform';
import type { IntakeProgress } from '../intakeProgress/intakeProgress';
import type { StagingTusStore } from './stagingTusStore';

/** `runNow` removes expired uploads (and old progress rows) at once and resolves to how many uploads. */
export type UploadExpiry = PeriodicTask<number>;

/**
 * Every `intervalMs` (and at start): removes tus uploads created longer than their expiration
 * ago (an unfinished one with its bytes, a finished one's record only) and progress rows nobody
 * has touched for as long. A failure is logged and tried again at the next interval.
 */
export function startUploadExpiry(deps: { store: StagingTusStore; progress: IntakeProgress | undefined; intervalMs: number; logger: Logger }): UploadExpiry {
  const expire = async (): Promise<number> => {
    const removed = await deps.store.deleteExpired();
    await deps.progress?.removeOlderThan(deps.store.getExpiration());
    if (removed > 0) deps.logger.info({ removed }, 'expired tus uploads removed');
    return removed;
  };
  return runPeriodically(expire, {
    intervalMs: deps.intervalMs,
    runAtStart: true,
    onError: (error) => deps.logger.error({ err: error }, 'removing expired uploads failed; trying again at the next interval'),
  });
}
