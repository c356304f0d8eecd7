import { describe, it, expect } from '@jest/globals';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { PROJECT_ROOT } from '@reelay/platform';

/** What the services need and the launcher, which only configures, migrates and supervises, does not. */
const NOT_FOR_THE_LAUNCHER = ['fastify', '@fastify/swagger', '@nats-io/transport-node', 'jose', 'prom-client', '@aws-sdk/client-s3', '@aws-sdk/lib-storage'];

/**
 * The files the compiled launcher (`system/dist/start.js`, which `tsc --build` makes before the tests) has
 * loaded once its import graph is in: a bad port ends it with exit code 2 before it prepares
 * anything, and an exit hook lists `require.cache`.
 */
function modulesLoadedByTheLauncher(): Promise<{ code: number | null; loaded: string[] }> {
  const script = `process.on('exit', () => process.stdout.write(JSON.stringify(Object.keys(require.cache)))); require(${JSON.stringify(path.join(PROJECT_ROOT, 'system/dist/start.js'))});`;
  const child = spawn(process.execPath, ['--conditions=reelay-dist', '-e', script], {
    cwd: PROJECT_ROOT,
    env: { PATH: process.env.PATH, COMMAND_API_PORT: 'not-a-port' },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, loaded: stdout ? (JSON.parse(stdout) as string[]) : [] })));
}

describe('the launcher', () => {
  it('loads its configuration, logger and Postgres, and none of the HTTP, NATS, auth, metrics or S3 stacks', async () => {
    const { code, loaded } = await modulesLoadedByTheLauncher();
    expect(code).toBe(2);
    expect(loaded.some((file) => file.includes('/node_modules/knex/'))).toBe(true);
    expect(loaded.some((file) => file.includes('/node_modules/pino/'))).toBe(true);
    expect(NOT_FOR_THE_LAUNCHER.filter((pkg) => loaded.some((file) => file.includes(`/node_modules/${pkg}/`)))).toEqual([]);
  }, 30_000);
});
