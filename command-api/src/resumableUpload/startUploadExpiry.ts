import { abortableSleep, type Logger } from '@reelay/platform';
import type { IntakeProgress } from '../intakeProgress/intakeProgress';
import type { StagingTusStore } from './stagingTusStore';

export interface UploadExpiry {
  /** Removes expired uploads (and old progress rows) now; returns how many uploads. */
  expireNow(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * Every `intervalMs` (and at start): removes tus uploads created longer than their expiration
 * ago (an unfinished one with its bytes, a finished one's record only) and progress rows nobody
 * has touched for as long. A failure is logged and tried again at the next interval.
 */
export function startUploadExpiry(deps: { store: StagingTusStore; progress: IntakeProgress | undefined; intervalMs: number; logger: Logger }): UploadExpiry {
  const stopping = new AbortController();
  let current: Promise<unknown> = Promise.resolve();
  const expireNow = (): Promise<number> => {
    const next = current.then(async () => {
      const removed = await deps.store.deleteExpired();
      await deps.progress?.removeOlderThan(deps.store.getExpiration());
      if (removed > 0) deps.logger.info({ removed }, 'expired tus uploads removed');
      return removed;
    });
    current = next.catch((error: unknown) => deps.logger.error({ err: error }, 'removing expired uploads failed; trying again at the next interval'));
    return next;
  };
  const loop = (async () => {
    while (!stopping.signal.aborted) {
      await expireNow().catch(() => undefined);
      await abortableSleep(deps.intervalMs, stopping.signal);
    }
  })();
  return {
    expireNow,
    async stop() {
      stopping.abort();
      await loop;
      await current;
    },
  };
}
