import { describe, it, expect } from '@jest/globals';
import { loadConfig } from '@reelay/platform';
import { SERVICE_ENTRIES } from './serviceEntries';
import { banner, chooseLogFormat, loadPrettifier } from './terminal';

describe("the launcher's terminal output", () => {
  it('is pretty on a terminal, JSON in a pipe or in production, and LOG_FORMAT decides when set', () => {
    expect(chooseLogFormat({}, true)).toBe('pretty');
    expect(chooseLogFormat({}, false)).toBe('json');
    expect(chooseLogFormat({ NODE_ENV: 'production' }, true)).toBe('json');
    expect(chooseLogFormat({ LOG_FORMAT: 'json' }, true)).toBe('json');
    expect(chooseLogFormat({ LOG_FORMAT: 'Pretty' }, false)).toBe('pretty');
    expect(() => chooseLogFormat({ LOG_FORMAT: 'yaml' }, true)).toThrow('LOG_FORMAT must be pretty or json, not yaml');
  });

  it('prints the demo page, each API with its docs, the workers and how to get a token', () => {
    const text = banner(SERVICE_ENTRIES, loadConfig({ COMMAND_API_PORT: '4100', QUERY_API_PORT: '4101', DEMO_PORT: '4105' }));
    expect(text).toContain('demo         http://127.0.0.1:4105/demo');
    expect(text).toContain('command-api  http://127.0.0.1:4100/v1    docs: http://127.0.0.1:4100/docs');
    expect(text).toContain('query-api    http://127.0.0.1:4101/v1    docs: http://127.0.0.1:4101/docs');
    expect(text).toContain('uploader     http://127.0.0.1:3002/metrics');
    expect(text).toContain('npm run token -- <userId> (or sign in on the demo page)');
  });

  it('turns a JSON line into one readable line and passes other text through', () => {
    const prettify = loadPrettifier(false)!;
    const line = prettify(JSON.stringify({ level: 30, time: Date.parse('2026-01-01T10:00:00Z'), service: 'query-api', name: 'query-api', pid: 1, msg: 'query API listening', url: 'http://x' }));
    expect(line).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: query-api: query API listening \{"url":"http:\/\/x"\}\n$/);
    expect(prettify('not json')).toBe('not json\n');
  });
});
