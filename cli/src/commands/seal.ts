import { lastSeal, sealEventLog, type LogSeal } from '@reelay/event-store';
import { Command } from 'commander';
import { setTimeout as sleep } from 'node:timers/promises';
import { withCliContext, write } from '../cliContext';
import { parsePositiveInt } from '../format';

export function describeSeal(seal: LogSeal): string {
  return `seal #${seal.sealNumber}: ${seal.eventCount} events up to ${seal.upTo.commit}/${seal.upTo.prepare}, hash ${seal.chainHash}`;
}

/**
 * `reelay seal [--every <seconds>]`: extends the seals over the events committed since the last
 * one (logSealer.ts). Run it periodically (cron, or `--every`): a removed or inserted event is
 * caught by `verify log` when it lies at or before the last seal. Keep the printed hashes
 * somewhere else too (`verify log --seal <hash>`).
 */
export function sealCommand(): Command {
  return new Command('seal')
    .description('seal the log up to its newest event (for verify log); --every repeats until stopped')
    .option('--every <seconds>', 'seal again every so many seconds until SIGINT/SIGTERM', parsePositiveInt)
    .action(async (options: { every?: number }) => {
      await withCliContext(async (context) => {
        const pool = await context.eventLogPool();
        const stop = new AbortController();
        const onSignal = () => stop.abort();
        process.once('SIGINT', onSignal).once('SIGTERM', onSignal);
        try {
          do {
            const seal = await sealEventLog(pool);
            const last = seal ?? (await lastSeal(pool));
            await write(seal ? `${describeSeal(seal)}\n` : `nothing new to seal${last ? ` (last: ${describeSeal(last)})` : ''}\n`);
            if (options.every === undefined) break;
            await sleep(options.every * 1000, undefined, { signal: stop.signal }).catch(() => undefined);
          } while (!stop.signal.aborted);
        } finally {
          process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
        }
      });
    });
}
