import type { RecordedEvent } from '@reelay/contracts';
import { dataWidthFor, eventJson, tableHeader, tableRow, type TableKind } from './format';
import { printJsonLine, write } from './output';

/** Prints events as JSON Lines or as the readable table (its header before the first row). */
export function eventPrinter(kind: TableKind, options: { json?: boolean }, stdout: NodeJS.WriteStream = process.stdout) {
  let printed = 0;
  const dataWidth = dataWidthFor(kind, stdout.isTTY ? stdout.columns : undefined);
  return {
    async print(event: RecordedEvent): Promise<void> {
      if (options.json) {
        await printJsonLine(eventJson(event), stdout);
      } else {
        if (printed === 0) await write(`${tableHeader(kind)}\n`, stdout);
        await write(`${tableRow(kind, event, dataWidth)}\n`, stdout);
      }
      printed += 1;
    },
    get printed(): number {
      return printed;
    },
  };
}
