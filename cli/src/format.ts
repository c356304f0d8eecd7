import type { Position, RecordedEvent } from '@reelay/contracts';
import { UsageError } from './cliFailure';

/** A position as the CLI prints and takes it: `<commit>/<prepare>` (transaction id/row on Postgres). */
export function formatPosition(position: Position): string {
  return `${position.commit}/${position.prepare}`;
}

export function parsePosition(text: string): Position {
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (!match) throw new UsageError(`"${text}" is not a position: give it as printed, <commit>/<prepare> (e.g. 812/4031)`);
  return { commit: BigInt(match[1] as string).toString(), prepare: BigInt(match[2] as string).toString() };
}

export function parsePositiveInt(text: string): number {
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(value) || value < 1) throw new UsageError(`"${text}" is not a positive whole number`);
  return value;
}

/** Commander's way to take an option more than once: `--type A --type B`. */
export function collect(value: string, previous: readonly string[] = []): string[] {
  return [...previous, value];
}

/** One event as a JSON Lines object: the port's fields, the position as the CLI writes it. */
export function eventJson(event: RecordedEvent) {
  return {
    type: event.type,
    streamName: event.streamName,
    revision: event.revision,
    position: formatPosition(event.position),
    recordedAt: event.recordedAt,
    id: event.id,
    schemaVersion: event.schemaVersion,
    data: event.data,
    metadata: event.metadata,
  };
}

/** A column of the readable table: a heading, a fixed width (the last one takes the rest). */
interface Column {
  readonly heading: string;
  readonly width: number;
  readonly value: (event: RecordedEvent) => string;
}

const COLUMNS: Record<'revision' | 'position' | 'recordedAt' | 'stream' | 'type' | 'data', Column> = {
  revision: { heading: 'REV', width: 4, value: (e) => String(e.revision) },
  position: { heading: 'POSITION', width: 14, value: (e) => formatPosition(e.position) },
  recordedAt: { heading: 'RECORDED AT', width: 24, value: (e) => e.recordedAt },
  stream: { heading: 'STREAM', width: 42, value: (e) => e.streamName },
  type: { heading: 'TYPE', width: 18, value: (e) => e.type },
  data: { heading: 'DATA', width: 0, value: (e) => JSON.stringify(e.data) },
};

export type TableKind = 'stream' | 'log';

const LAYOUTS: Record<TableKind, readonly Column[]> = {
  stream: [COLUMNS.revision, COLUMNS.position, COLUMNS.recordedAt, COLUMNS.type, COLUMNS.data],
  log: [COLUMNS.position, COLUMNS.recordedAt, COLUMNS.stream, COLUMNS.revision, COLUMNS.type, COLUMNS.data],
};

/** Shortens text to `max` characters with an ellipsis; `max` 0 keeps it whole. */
export function truncate(text: string, max: number): string {
  return max > 0 && text.length > max ? `${text.slice(0, Math.max(0, max - 1))}…` : text;
}

function line(columns: readonly Column[], cells: readonly string[], lastMax: number): string {
  return cells
    .map((cell, index) => {
      const column = columns[index] as Column;
      return index === cells.length - 1 ? truncate(cell, lastMax) : cell.padEnd(column.width);
    })
    .join('  ')
    .trimEnd();
}

/**
 * The readable table, one line at a time (the log is never held whole, so widths are fixed). The
 * data column is cut to `dataWidth` characters (0: whole), e.g. to fit a terminal.
 */
export function tableHeader(kind: TableKind): string {
  const columns = LAYOUTS[kind];
  return line(columns, columns.map((c) => c.heading), 0);
}

export function tableRow(kind: TableKind, event: RecordedEvent, dataWidth = 0): string {
  const columns = LAYOUTS[kind];
  return line(columns, columns.map((c) => c.value(event)), dataWidth);
}

/** How wide the data column may be on a terminal of `terminalColumns` (0 when not a terminal). */
export function dataWidthFor(kind: TableKind, terminalColumns: number | undefined): number {
  if (!terminalColumns) return 0;
  const fixed = LAYOUTS[kind].slice(0, -1).reduce((sum, c) => sum + c.width + 2, 0);
  return Math.max(20, terminalColumns - fixed);
}
