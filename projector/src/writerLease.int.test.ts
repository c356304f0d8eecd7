import { describe, it, expect, beforeEach, afterEach } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { Knex } from 'knex';
import { PROJECT_ROOT, createKnex } from '@reelay/platform';
import { createTestEventStore, eventually, freePort } from '@reelay/testing';
import { appendVideoEvents } from './testing/appendVideoEvents';
import { happyPath } from './testing/videoEventFixtures';

/** A projector as `npm start` runs it: `projector/src/main.ts` in a process of its own. */
interface ProjectorProcess {
  readonly name: string;
  readonly opsUrl: string;
  readonly child: ChildProcess;
  readonly exited: Promise<unknown>;
  output(): string;
}

async function spawnProjector(name: string, databaseUrl: string): Promise<ProjectorProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(PROJECT_ROOT, 'projector/src/main.ts')], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, DATABASE_URL: databaseUrl, EVENT_STORE_URL: '', HOST: '127.0.0.1', PROJECTOR_OPS_PORT: String(port), LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  return { name, opsUrl: `http://127.0.0.1:${port}`, child, exited, output: () => output };
}

/** A gauge's value from the process's /metrics, or undefined while it does not answer. */
async function gauge(projector: ProjectorProcess, metric: string): Promise<number | undefined> {
  const text = await fetch(`${projector.opsUrl}/metrics`)
    .then((response) => response.text())
    .catch(() => undefined);
  const line = text?.split('\n').find((candidate) => candidate.startsWith(`${metric}{`));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

const isWriter = async (projector: ProjectorProcess) => (await gauge(projector, 'reelay_projection_lease_held')) === 1;

describe('two projector processes on one read model', () => {
  let eventStore: Awaited<ReturnType<typeof createTestEventStore>>;
  let knex: Knex;
  const processes: ProjectorProcess[] = [];

  beforeEach(async () => {
    eventStore = await createTestEventStore();
    knex = createKnex(eventStore.url, { max: 2 });
  });
  afterEach(async () => {
    for (const projector of processes.splice(0)) {
      if (projector.child.exitCode === null && projector.child.signalCode === null) projector.child.kill('SIGKILL');
      await projector.exited;
    }
    await knex.destroy();
    await eventStore.dispose();
  });

  const statusOf = async (videoId: string) => (await knex('video_info').where({ video_id: videoId }).first('status'))?.status as string | undefined;

  it('has one writer while the other stands by, and the standby takes over within seconds of a SIGKILL', async () => {
    const first = await spawnProjector('first', eventStore.url);
    processes.push(first);
    await eventually(async () => expect(await isWriter(first)).toBe(true), 30_000, 100);
    const second = await spawnProjector('second', eventStore.url);
    processes.push(second);
    await eventually(async () => expect(await gauge(second, 'reelay_projection_lease_held')).toBe(0), 30_000, 100);

    const before = randomUUID();
    await appendVideoEvents(eventStore.store, before, happyPath(before, 'alice'));
    await eventually(async () => expect(await statusOf(before)).toBe('UPLOADED'), 10_000, 50);
    expect(await gauge(first, 'reelay_projection_events_total')).toBe(4);
    // The standby has applied nothing (its counter has no sample yet) and still stands by.
    expect((await gauge(second, 'reelay_projection_events_total')) ?? 0).toBe(0);
    expect(await isWriter(second)).toBe(false);

    first.child.kill('SIGKILL');
    await first.exited;
    const killedAt = Date.now();
    const after = randomUUID();
    await appendVideoEvents(eventStore.store, after, happyPath(after, 'bob'));
    await eventually(async () => expect(await statusOf(after)).toBe('UPLOADED'), 20_000, 50);
    const takeoverMs = Date.now() - killedAt;
    // The lease lasts 3 s unless renewed, and the standby tries every 600 ms.
    expect(takeoverMs).toBeLessThan(6_000);
    expect(await isWriter(second)).toBe(true);
    expect(await gauge(second, 'reelay_projection_events_total')).toBe(4);
    expect(second.output()).toMatch(/writing the read model/);

    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  });
});
