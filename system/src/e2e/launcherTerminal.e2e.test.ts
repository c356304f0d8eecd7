import { describe, it, expect } from '@jest/globals';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { PROJECT_ROOT } from '@reelay/platform';
import { createTestDatabase, freePort, testS3Endpoint, uniqueBucketName, uniqueName } from '@reelay/testing';
import { startSystem } from './runningSystem';

/** `script` (util-linux) gives the launcher a pseudo-terminal, as a person's shell does. */
const HAS_SCRIPT = spawnSync('script', ['--version']).status === 0;

async function baseEnv(): Promise<{ env: NodeJS.ProcessEnv; drop(): Promise<void> }> {
  const database = await createTestDatabase('reelay_term');
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'reelay-term-'));
  const stream = uniqueName('TERM');
  return {
    env: {
      ...process.env,
      DATABASE_URL: database.url,
      JOBS_STREAM: stream,
      S3_ENDPOINT: testS3Endpoint(),
      S3_BUCKET: uniqueBucketName('reelay-term'),
      S3_ACCESS_KEY_ID: 'S3RVER',
      S3_SECRET_ACCESS_KEY: 'S3RVER',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'info',
      QUERY_API_PORT: String(await freePort()),
      PROJECTOR_OPS_PORT: String(await freePort()),
      LOG_FORMAT: '',
    },
    async drop() {
      await database.drop();
      const nc = await connect({ servers: process.env.NATS_URL ?? 'nats://127.0.0.1:4222' });
      await (await jetstreamManager(nc)).streams.delete(stream).catch(() => undefined);
      await nc.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

describe('npm start in a terminal and in a pipe', () => {
  (HAS_SCRIPT ? it : it.skip)('on a terminal: a banner, readable lines, no probe lines; Ctrl-C stops every service cleanly', async () => {
    const { env, drop } = await baseEnv();
    // `exec`: script runs the command through $SHELL -c, and dash (/bin/sh, where SHELL is unset,
    // as in CI) stays as the launcher's parent in the foreground group; Ctrl-C then kills dash and
    // script reports 130 whatever the launcher did. A person's shell runs the launcher itself.
    // SHELL is pinned to /bin/sh below so the test reads the same on every machine.
    const command = ['exec', process.execPath, '--import', 'tsx', path.join(PROJECT_ROOT, 'system/src/start.ts'), '--only', 'query-api,projector'].join(' ');
    // -e: script exits with the launcher's code; -f: flush as it comes; no log file.
    const script = spawn('script', ['-qefc', command, '/dev/null'], { cwd: PROJECT_ROOT, env: { ...env, SHELL: '/bin/sh' }, stdio: ['pipe', 'pipe', 'pipe'] });
    let screen = '';
    script.stdout.on('data', (chunk: Buffer) => (screen += chunk.toString()));
    script.stderr.on('data', (chunk: Buffer) => (screen += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => script.once('exit', (code) => resolve(code)));
    try {
      const deadline = Date.now() + 150_000;
      while (!screen.includes('Reelay is running')) {
        if (script.exitCode !== null || Date.now() > deadline) throw new Error(`no banner:\n${screen}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
      const text = stripVTControlCharacters(screen);
      expect(text).toContain(`query-api    http://127.0.0.1:${env.QUERY_API_PORT}/v1    docs: http://127.0.0.1:${env.QUERY_API_PORT}/docs`);
      expect(text).toContain('npm run token -- <userId>');
      expect(text).toMatch(/INFO: query-api: query API listening/);
      // Pretty lines only: no raw JSON, and the launcher's /healthz polling logged nothing.
      expect(text).not.toContain('{"level"');
      expect(text).not.toContain('/healthz');

      // Ctrl-C: the terminal sends SIGINT to the whole foreground group, and the launcher then sends
      // each service a SIGTERM of its own: two signals, one drain.
      script.stdin.write('\x03');
      expect(await exited).toBe(0);
      expect(stripVTControlCharacters(screen)).not.toContain('did not stop cleanly');
    } finally {
      if (script.exitCode === null) script.kill('SIGKILL');
      await drop();
    }
  }, 240_000);

  it('in a pipe: JSON lines; SIGTERM to the process group stops every service cleanly', async () => {
    const { env, drop } = await baseEnv();
    try {
      const system = await startSystem(env, 150_000, ['--only', 'query-api,projector'], { ownProcessGroup: true });
      const lines = system.output().split('\n').filter((line) => line.trim() !== '');
      expect(lines.length).toBeGreaterThan(2);
      for (const line of lines) expect(() => JSON.parse(line) as unknown).not.toThrow();
      expect(lines.some((line) => (JSON.parse(line) as { msg?: string }).msg === 'Reelay is running')).toBe(true);

      // As `kill -TERM -<pgid>` (or a container runtime) does: every process of the group at once;
      // stop() then sends the launcher a second SIGTERM, as an impatient supervisor would.
      process.kill(-system.pid, 'SIGTERM');
      const code = await system.stop();
      expect(code).toBe(0);
      expect(system.output()).not.toContain('did not stop cleanly');
      expect(system.output()).toContain('"msg":"stopped"');
    } finally {
      await drop();
    }
  }, 240_000);
});
