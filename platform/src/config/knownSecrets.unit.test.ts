import { describe, it, expect } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from './config';
import { KNOWN_SECRETS } from './knownSecrets';

/** Names under which a literal is a secret: AUTH_JWT_SECRET, SECRET, apiKey, DB_PASSWORD, PERSONAL_DATA_KEK… */
const NAME = String.raw`\w*(?:SECRET|Secret|secret|KEK|PASSWORD|Password|password|API_KEY|ApiKey|apiKey|_KEY|AccessKey)\w*`;
/** `NAME: 'value'`, `NAME = "value"` in any file. */
const QUOTED = new RegExp(String.raw`\b${NAME}['"]?\s*[:=]\s*(['"\x60])([^'"\x60\s$]{4,})\1`, 'g');
/** `NAME: value`, `NAME=value`, `NAME: ${NAME:-value}` at the start of a line: YAML, .env, shell, Dockerfile, docs. */
const UNQUOTED = new RegExp(String.raw`^[\s-]*(?:ENV\s+)?${NAME}\s*[:=]\s*(?:\$\{\w+:?-)?([^'"\x60\s$}{]{4,})`, 'gm');
/** A password in a URL: `postgres://user:password@host`. */
const URL_PASSWORD = /[a-z][a-z0-9+.-]*:\/\/[^:/@\s'"`]+:([^@/\s'"`$]{4,})@/g;
/** `password=…` inside a message or connection string. */
const INLINE = /\b(?:password|secret)=([^\s'"`&;$]{4,})/g;

/** Literals the patterns catch that are not secrets (a table, a globalThis key, the censor, names of metadata keys). */
const NOT_SECRETS = new Set(['personal_data_keys', '__reelayTestServices', '[redacted]', 'reelay-owner', 'sha256', 'none']);
const THIS_LIST = 'platform/src/config/knownSecrets.ts';

/** Every secret-shaped literal in the repository's tracked files, with the first file it is in. */
function secretsInRepository(): Map<string, string> {
  const files = execFileSync('git', ['ls-files', '-z'], { cwd: PROJECT_ROOT, encoding: 'utf8' })
    .split('\0')
    .filter((file) => file && file !== THIS_LIST && !file.endsWith('package-lock.json') && !/\.(png|jpe?g|mp4|mov|ico|gz)$/.test(file));
  const found = new Map<string, string>();
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(path.join(PROJECT_ROOT, file), 'utf8');
    } catch {
      continue; // listed by git but deleted in the work tree
    }
    const code = /\.(ts|js|mjs|cjs)$/.test(file);
    for (const pattern of code ? [QUOTED, URL_PASSWORD, INLINE] : [QUOTED, UNQUOTED, URL_PASSWORD, INLINE]) {
      for (const match of text.matchAll(pattern)) {
        const value = match[match.length - 1] as string;
        if (!NOT_SECRETS.has(value) && !found.has(value)) found.set(value, file);
      }
    }
  }
  return found;
}

describe('the known secrets', () => {
  const found = secretsInRepository();

  it('list every secret-shaped literal of the repository, so none of them can start production', () => {
    const missing = [...found].filter(([value]) => !KNOWN_SECRETS.includes(value)).map(([value, file]) => `${JSON.stringify(value)} (${file})`);
    // A new example or test secret: add it to KNOWN_SECRETS in platform/src/config/knownSecrets.ts.
    expect(missing).toEqual([]);
  });

  it('are found by the scan (it reads the files, it does not just pass)', () => {
    expect([...found.keys()]).toEqual(expect.arrayContaining(['S3RVER', 'pw-1234', 'e2e-secret-that-is-long-enough-for-hs256-0123456789']));
    expect(found.size).toBeGreaterThan(20);
  });

  it('catch the shapes a secret takes in compose files, Dockerfiles and connection strings', () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a compose file's ${VAR:-default}, not a template
    const sample = ['  AUTH_JWT_SECRET: ${AUTH_JWT_SECRET:-some-default-secret}', 'ENV PERSONAL_DATA_KEK=abcd1234', 'DATABASE_URL: postgres://u:pw-1234@db/x'].join('\n');
    const values = [UNQUOTED, URL_PASSWORD].flatMap((pattern) => [...sample.matchAll(pattern)].map((match) => match[match.length - 1]));
    expect(values).toEqual(['some-default-secret', 'abcd1234', 'pw-1234']);
  });
});
