import { describe, it, expect } from '@jest/globals';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { PROJECT_ROOT } from '@reelay/platform';
import { createTestDatabase, startServiceProcess } from '@reelay/testing';
import { SERVICE_ENTRIES } from './serviceEntries';

/** Runs a service's entry as its own process with `env`, and resolves with its exit and what it wrote. */
function runService(entry: string, env: NodeJS.ProcessEnv, args: readonly string[] = []): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', entry, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

const linesOf = (stderr: string) => stderr.split('\n').filter((line) => line.trim() && !line.includes('Warning'));

/** Nothing real: what `docker run` of the image with no secrets would give a service. */
const NO_SECRETS = { AUTH_JWT_SECRET: '', AUTH_JWKS_URL: '', PERSONAL_DATA_KEK: '', DEMO_TOKENS: '' };

describe('a service process', () => {
  it.each(SERVICE_ENTRIES.map((s) => [s.name, s.entry]))('%s refuses a bad configuration value with one line naming it', async (_name, entry) => {
    const { code, stderr } = await runService(entry as string, { MAX_UPLOAD_BYTES: 'ten gigabytes' });
    expect(code).toBe(2);
    const lines = linesOf(stderr);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/MAX_UPLOAD_BYTES/);
  });

  it.each(SERVICE_ENTRIES.map((s) => [s.name, s.entry]))(
    '%s started for production without real auth or key-encryption key exits at once, naming the variable',
    async (name, entry) => {
      // Postgres and NATS are pointed at closed ports: the refusal must come before any connection.
      // Both at once: on two busy cores loading the code alone can take 15 s.
      const unreachable = { DATABASE_URL: 'postgres://postgres@127.0.0.1:9/none', NATS_URL: 'nats://127.0.0.1:9' };
      const [production, listening] = await Promise.all([
        runService(entry as string, { ...unreachable, ...NO_SECRETS, NODE_ENV: 'production' }),
        runService(entry as string, { ...unreachable, ...NO_SECRETS, NODE_ENV: 'development', HOST: '0.0.0.0', AUTH_JWT_SECRET: `${'x'.repeat(8)}a-real-looking-secret-of-its-own` }),
      ]);
      expect(production.code).toBe(2);
      expect(linesOf(production.stderr)).toEqual([
        `${name}: refused in production mode (NODE_ENV=production): AUTH_JWT_SECRET (or AUTH_JWKS_URL) must be set: the development secret is refused`,
      ]);
      expect(listening.code).toBe(2);
      expect(linesOf(listening.stderr)).toEqual([`${name}: refused in production mode (HOST=0.0.0.0 is not loopback): PERSONAL_DATA_KEK must be set (32 random bytes in base64: openssl rand -base64 32): the development key is refused`]);
      // At once: before its logger or any connection (the addresses above would fail and retry).
      expect(production.stdout + listening.stdout).toBe('');
    },
    120_000,
  );

  it('says in one line at start which mode it runs in and why', async () => {
    const database = await createTestDatabase('reelay_mode');
    const service = startServiceProcess('query API', path.join(PROJECT_ROOT, 'query-api/src/main.ts'), { ...process.env, ...NO_SECRETS, DATABASE_URL: database.url, HOST: '127.0.0.1', QUERY_API_PORT: '0', NODE_ENV: 'test', LOG_LEVEL: 'info' }, 'query API listening');
    try {
      await service.ready();
      expect(service.lines[0]).toMatchObject({ msg: 'running in development mode (NODE_ENV=test and HOST=127.0.0.1 is loopback)', mode: 'development' });
      expect(service.lines.filter((line) => String(line.msg).startsWith('running in '))).toHaveLength(1);
    } finally {
      await service.kill('SIGTERM');
      await database.drop();
    }
  });

  it('npm run token refuses to sign in production', async () => {
    const { code, stdout, stderr } = await runService(path.join(PROJECT_ROOT, 'system/src/token.ts'), { NODE_ENV: 'production' }, ['alice']);
    expect(stdout).toBe('');
    expect(code).toBe(2);
    expect(linesOf(stderr)).toEqual(['token: refused in production mode (NODE_ENV=production): npm run token signs development tokens only']);
  });
});
