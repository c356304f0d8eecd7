import { describe, it, expect, beforeEach, afterEach } from '@jest/globals';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { Knex } from 'knex';
import { newEvent, UserId, VideoId, videoStreamName, type VideoEvent } from '@reelay/contracts';
import { PROJECT_ROOT, createKnex } from '@reelay/platform';
import { createTestEventStore, eventually, freePort } from '@reelay/testing';
import { migrateReadModel } from '@reelay/projector';

interface Ran {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * The real `reelay` command in a process of its own, as an operator runs it (`npx reelay …`
 * runs this same bin), against a database of the test's own, with the projector service running
 * as `npm start` runs it (`projector/src/main.ts`, a process of its own) through every command.
 */
describe('reelay projections and verify read-model, run as commands', () => {
  let eventStore: Awaited<ReturnType<typeof createTestEventStore>>;
  let knex: Knex;
  let projector: { child: ChildProcess; exited: Promise<unknown>; opsUrl: string };

  beforeEach(async () => {
    eventStore = await createTestEventStore();
    knex = createKnex(eventStore.url, { max: 4 });
    await migrateReadModel(knex);
    const port = await freePort();
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(PROJECT_ROOT, 'projector/src/main.ts')], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, DATABASE_URL: eventStore.url, EVENT_STORE_URL: eventStore.url, HOST: '127.0.0.1', PROJECTOR_OPS_PORT: String(port), LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'ignore', 'ignore'],
    });
    projector = { child, exited: new Promise((resolve) => child.once('exit', resolve)), opsUrl: `http://127.0.0.1:${port}` };
  });
  afterEach(async () => {
    if (projector.child.exitCode === null && projector.child.signalCode === null) projector.child.kill('SIGTERM');
    await projector.exited;
    await knex.destroy();
    await eventStore.dispose();
  });

  function reelay(...args: string[]): Promise<Ran> {
    return new Promise((resolve) => {
      execFile(
        process.execPath,
        [path.join(PROJECT_ROOT, 'cli/bin/reelay.cjs'), ...args],
        { cwd: PROJECT_ROOT, env: { ...process.env, DATABASE_URL: eventStore.url, EVENT_STORE_URL: eventStore.url, LOG_LEVEL: 'silent' } },
        (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
      );
    });
  }

  async function upload(userId: string): Promise<string> {
    const videoId = randomUUID();
    const metadata = { correlationId: videoId, causationId: videoId, userId };
    const events: VideoEvent[] = [
      {
        type: 'UploadRequested',
        data: {
          videoId: VideoId.parse(videoId),
          userId: UserId.parse(userId),
          metaInfo: { title: 'Holiday', fileName: 'holiday.mp4', contentType: 'video/mp4', sizeBytes: 10, sha256: 'a'.repeat(64) },
          stagingRef: `file:///tmp/${videoId}`,
        },
      },
      { type: 'UploadStarted', data: { attempt: 1, bucket: 'videos', objectKey: videoId } },
      { type: 'UploadCompleted', data: { attempt: 1, bucket: 'videos', objectKey: videoId, etag: 'e', sizeBytes: 10, durationMs: 5 } },
    ];
    await eventStore.store.appendToStream(videoStreamName(videoId), events.map((event) => newEvent(event, metadata)), { expectedRevision: 'no_stream' });
    return videoId;
  }

  const projected = (videoId: string) =>
    eventually(async () => expect(await knex('video_info').where({ video_id: videoId }).first('status')).toEqual({ status: 'UPLOADED' }));

  it('shows the status as JSON, rebuilds into the next version, and verifies the result', async () => {
    const videoId = await upload('alice');
    await projected(videoId);

    const before = await reelay('projections', 'status', '--json');
    expect(before).toMatchObject({ code: 0, stderr: '' });
    const [status] = JSON.parse(before.stdout) as Array<{ name: string; version: number; position: { prepare: string }; lag: { events: number } }>;
    expect(status).toMatchObject({ name: 'video_info', version: 1, lag: { events: 0, seconds: 0 }, building: null });
    // The writer is the projector process: its lease holder is `host:pid:id`.
    expect(status).toMatchObject({ holder: { process: expect.stringContaining(`:${projector.child.pid}:`) } });
    expect(status?.position).toEqual(await eventStore.store.headPosition());

    const rebuilt = await reelay('projections', 'rebuild', 'video_info');
    expect(rebuilt.code).toBe(0);
    expect(rebuilt.stderr).toMatch(/^(rebuild video_info: \d\/3 events, \d+\/s\n)+switching to version 2\ndropping version 1\n$/);
    expect(rebuilt.stdout).toMatch(/^rebuilt video_info: version 1 → 2, 3 events in [\d.]+ s \(\d+ events\/s\), 0 rows changed at the switch/);

    const after = JSON.parse((await reelay('projections', 'status', '--json')).stdout) as Array<{ version: number }>;
    expect(after[0]?.version).toBe(2);
    // The projector process carries on into the new version, and says which one it serves.
    const later = await upload('bob');
    await projected(later);
    expect(await knex('video_info_v2').where({ video_id: later }).first('status')).toEqual({ status: 'UPLOADED' });
    const metrics = await (await fetch(`${projector.opsUrl}/metrics`)).text();
    expect(metrics).toMatch(/reelay_projection_active_version\{projection="video_info",service="projector"\} 2\n/);

    const verified = await reelay('verify', 'read-model');
    expect(verified.code).toBe(0);
    // Piped, progress is plain lines on stderr.
    expect(verified.stderr).toMatch(/^(verify read-model: \d\/6 events, \d+\/s\n)+$/);
    expect(verified.stdout).toMatch(/^2 rows compared with a replay of 6 events up to \d+\/\d+ \(\d+ events\/s\): equal\n$/);

    const text = await reelay('projections', 'status');
    expect(text.stdout).toMatch(/video_info\n {2}version {4}2 /);
    expect(text.stdout).toMatch(/lag {8}0 events, 0\.0 s/);
  });

  it('exits 1 and names each difference when the read model does not match the log', async () => {
    const videoId = await upload('alice');
    await projected(videoId);
    await knex('video_info').where({ video_id: videoId }).update({ uploaded_percentage: 42 });

    const found = await reelay('verify', 'read-model', '--json');
    expect(found.code).toBe(1);
    expect(JSON.parse(found.stdout)).toMatchObject({
      verified: false,
      rowsCompared: 1,
      differences: [{ videoId, column: 'uploaded_percentage', live: 42, replayed: 100 }],
    });
    expect(found.stderr).toMatch(/\nreelay: the read model differs from a replay of the log up to \d+\/\d+ in 1 places\n$/);

    const text = await reelay('verify', 'read-model');
    expect(text.stdout).toContain(`video ${videoId}  uploaded_percentage: live 42, replayed 100\n`);
  });

  it('refuses to rebuild a projection it does not know, with exit 2', async () => {
    const refused = await reelay('projections', 'rebuild', 'no_such_thing');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/unknown projection "no_such_thing"; known: video_info/);
  });
});
