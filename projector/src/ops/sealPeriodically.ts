import { runPeriodically, type Logger } from '@reelay/platform';
import type { LogSeal } from '@reelay/event-store';

export interface SealPeriodicallyOptions {
  readonly seal: () => Promise<LogSeal | undefined>;
  readonly intervalMs: number;
  /** Only the projection's writer seals: one sealer, so seals do not race for their numbers. */
  readonly isWriter: () => boolean;
  readonly logger: Logger;
}

/**
 * Seals the event log every `intervalMs` while this copy is the writer. A seal is what catches an
 * event removed or inserted behind the log's back (`reelay verify log`), and it covers only what
 * was there when it was made, so sealing is a service's routine rather than an operator's chore.
 * The projector reads the log in order anyway and there is exactly one writer, which makes it
 * the natural sealer. A failed seal is logged and tried again next time.
 */
export function sealPeriodically(options: SealPeriodicallyOptions): { stop(): Promise<void> } {
  const sealIfWriter = async () => {
    if (!options.isWriter()) return;
    const seal = await options.seal();
    if (seal) options.logger.debug({ seal: seal.sealNumber, events: seal.eventCount }, 'sealed the event log');
  };
  return runPeriodically(sealIfWriter, {
    intervalMs: options.intervalMs,
    runAtStart: false,
    onError: (error) => options.logger.warn({ err: error }, 'could not seal the event log; trying again later'),
  });
}
