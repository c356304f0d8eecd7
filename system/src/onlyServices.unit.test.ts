import { describe, it, expect } from '@jest/globals';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, PROJECT_ROOT } from '@reelay/platform';
import { servicesToStart } from './onlyServices';
import { SERVICE_ENTRIES } from './serviceEntries';

const names = (args: string[]) => servicesToStart(args, SERVICE_ENTRIES).map((service) => service.name);

describe('choosing the services npm start runs', () => {
  it('runs every service when no --only is given', () => {
    expect(names([])).toEqual(SERVICE_ENTRIES.map((service) => service.name));
  });

  it('runs only the services --only names, repeated or comma-separated', () => {
    expect(names(['--only', 'uploader'])).toEqual(['uploader']);
    expect(names(['--only', 'query-api,projector'])).toEqual(['projector', 'query-api']);
    expect(names(['--only=notifier', '--only', 'command-api'])).toEqual(['notifier', 'command-api']);
  });

  it('refuses an unknown service or argument with one line naming it', () => {
    const known = SERVICE_ENTRIES.map((service) => service.name).join(', ');
    expect(() => names(['--only', 'uplaoder'])).toThrow(new ConfigError(`--only names no service uplaoder (one of ${known})`));
    expect(() => names(['--all'])).toThrow(ConfigError);
  });

  it('has an npm run start:<service> script that runs each service entry alone', () => {
    const { scripts } = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    for (const service of SERVICE_ENTRIES) {
      expect(scripts[`start:${service.name}`]).toBe(`tsx ${path.relative(PROJECT_ROOT, service.entry)}`);
    }
  });
});
