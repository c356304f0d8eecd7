import { describe, it, expect } from '@jest/globals';
import type { RecordedEvent } from '@reelay/contracts';
import { UsageError } from './cliFailure';
import { collect, dataWidthFor, eventJson, formatPosition, parsePosition, parsePositiveInt, tableHeader, tableRow, truncate } from './format';
import { progressLine, ratePerSecond } from './output';

const event: RecordedEvent = {
  id: 'e1',
  type: 'UploadRequested',
  schemaVersion: 2,
  streamName: 'video-v1',
  revision: 0,
  position: { commit: '812', prepare: '4031' },
  recordedAt: '2026-11-28T12:00:00.000Z',
  data: { title: 'Holiday', sizeBytes: 10 },
  metadata: { correlationId: 'c', causationId: 'c', userId: 'u' },
};

describe('positions on the command line', () => {
  it('are printed as commit/prepare and read back the same', () => {
    expect(formatPosition(event.position)).toBe('812/4031');
    expect(parsePosition('812/4031')).toEqual(event.position);
  });

  it('refuse anything else as a usage error that shows the expected form', () => {
    for (const bad of ['812', '812/', 'a/1', '-1/2', '1/2/3', '']) expect(() => parsePosition(bad)).toThrow(UsageError);
    expect(() => parsePosition('x')).toThrow(/<commit>\/<prepare>/);
  });
});

describe('numeric and repeated options', () => {
  it('take positive whole numbers only', () => {
    expect(parsePositiveInt('25')).toBe(25);
    for (const bad of ['0', '-3', '1.5', 'ten', '', '1e3']) expect(() => parsePositiveInt(bad)).toThrow(UsageError);
  });

  it('collect a repeated option in order', () => {
    expect(collect('B', collect('A', []))).toEqual(['A', 'B']);
  });
});

describe('event output', () => {
  it('writes one JSON object with the fields auditors rely on', () => {
    expect(eventJson(event)).toEqual({
      type: 'UploadRequested',
      streamName: 'video-v1',
      revision: 0,
      position: '812/4031',
      recordedAt: '2026-11-28T12:00:00.000Z',
      id: 'e1',
      schemaVersion: 2,
      data: event.data,
      metadata: event.metadata,
    });
  });

  it('lines up the table columns under their headings', () => {
    const header = tableHeader('stream');
    const row = tableRow('stream', event);
    expect(header.indexOf('TYPE')).toBe(row.indexOf('UploadRequested'));
    expect(header.indexOf('DATA')).toBe(row.indexOf('{"title"'));
    expect(tableRow('log', event)).toContain('video-v1');
  });

  it('cuts the data column to the terminal, and keeps it whole when piped', () => {
    const long = { ...event, data: { text: 'x'.repeat(500) } };
    expect(tableRow('stream', long, 40).endsWith('…')).toBe(true);
    expect(tableRow('stream', long, dataWidthFor('stream', undefined))).toContain('x'.repeat(500));
    expect(dataWidthFor('stream', 200)).toBeGreaterThan(dataWidthFor('stream', 120));
    expect(truncate('abcdef', 4)).toBe('abc…');
    expect(truncate('abc', 0)).toBe('abc');
  });
});

describe('progress as plain lines', () => {
  it('give the count, the total when known, and the rate', () => {
    expect(progressLine('verify log', 'events', 1200, 5000, 2000)).toBe('verify log: 1200/5000 events, 600/s');
    expect(progressLine('log', 'events', 10, undefined, 0)).toBe('log: 10 events, 0/s');
    expect(ratePerSecond(3, 1500)).toBe(2);
  });
});
