import { START, type Position } from '@reelay/contracts';
import { Command } from 'commander';
import { createProgress, isTty, withCliContext } from '../cliContext';
import { eventPrinter } from '../eventPrinter';
import { collect, formatPosition, parsePosition, parsePositiveInt } from '../format';

const PAGE = 500;

interface LogOptions {
  from?: Position;
  type: string[];
  limit?: number;
  json?: boolean;
}

/**
 * `reelay log`: the global log in the store's global order, read page by page and written as it
 * goes (waiting for a slow reader), so an export of any size runs in constant memory. It ends
 * at the newest event a subscriber could see now.
 */
export function logCommand(): Command {
  return new Command('log')
    .description('the global log, in order: for exports and replays')
    .option('--from <position>', 'only events after this position (as printed: <commit>/<prepare>)', parsePosition)
    .option('--type <type>', 'only events of this type (may be given more than once)', collect, [])
    .option('--limit <n>', 'at most n events', parsePositiveInt)
    .option('--json', 'one JSON object per line')
    .action(async (options: LogOptions) => {
      await withCliContext(async (context) => {
        const { store } = await context.eventStore();
        const printer = eventPrinter('log', options);
        // The rows are the progress on a terminal; an export to a file or a pipe gets a count on stderr.
        const progress = isTty(process.stdout) ? undefined : createProgress({ label: 'log', unit: 'events', total: options.limit });
        let from = options.from ?? START;
        try {
          for (;;) {
            const wanted = options.limit === undefined ? PAGE : Math.min(PAGE, options.limit - printer.printed);
            if (wanted <= 0) break;
            const page = await store.readAll({ from, limit: wanted, eventTypes: options.type.length ? options.type : undefined });
            for (const event of page) await printer.print(event);
            progress?.tick(page.length);
            const last = page[page.length - 1];
            if (!last) break;
            from = last.position;
          }
        } finally {
          progress?.stop();
        }
        if (!options.json && printer.printed === 0) process.stderr.write(`log: no events after ${formatPosition(from)}\n`);
      });
    });
}
