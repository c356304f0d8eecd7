import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import http from 'node:http';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import {
  createTestDatabase,
  eventually,
  startPrivateNats,
  testS3Endpoint,
  type PrivateNats,
} from '@reelay/testing';
import { startChaosSystem } from './chaosSystem';
import { randomVideo } from './phone';

/** Rows in the event log, counted directly: a global read could hold a row back and hide it. */
async function eventCount(databaseUrl: string): Promise<number> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return Number((await client.query('select count(*) as n from event_log')).rows[0].n);
  } finally {
    await client.end();
  }
}

/** Every file in the staging folder, hidden partial files included, with its size (folders, such as tus's, aside). */
async function stagedFiles(directory: string): Promise<Array<{ name: string; size: number }>> {
  const names = await readdir(directory).catch(() => [] as string[]);
  const entries = await Promise.all(names.map(async (name) => ({ name, stats: await stat(path.join(directory, name)) })));
  return entries.filter((entry) => entry.stats.isFile()).map((entry) => ({ name: entry.name, size: entry.stats.size }));
}

/** Messages in the job stream right now. */
async function jobsInStream(natsUrl: string, stream: string): Promise<Array<{ requestEventId: string }>> {
  const nc = await connect({ servers: natsUrl });
  try {
    const jsm = await jetstreamManager(nc);
    const info = await jsm.streams.info(stream);
    const jobs: Array<{ requestEventId: string }> = [];
    for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq += 1) {
      const message = await jsm.streams.getMessage(stream, { seq }).catch(() => null);
      if (message) jobs.push(message.json<{ requestEventId: string }>());
    }
    return jobs;
  } finally {
    await nc.close();
  }
}

describe('the command API killed with SIGKILL', () => {
  it('mid-body: records nothing, and the sweeper removes the partial staged file after the restart', async () => {
    const database = await createTestDatabase('reelay_crash');
    const system = await startChaosSystem({
      databaseUrl: database.url,
      natsUrl: process.env.TEST_NATS_URL ?? 'nats://127.0.0.1:4222',
      s3Endpoint: testS3Endpoint(),
      services: ['command-api'],
      env: { UPLOAD_IDLE_TIMEOUT_MS: '1000', STAGING_SWEEP_GRACE_MS: '1500', STAGING_SWEEP_INTERVAL_MS: '300' },
    });
    try {
      const token = await system.token('alice');
      const body = randomVideo(8 * 1024 * 1024);
      const request = http.request(`${system.commandApi}/v1/videos?title=cut&fileName=cut.mp4`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'video/mp4', 'content-length': String(body.length) },
      });
      request.on('error', () => undefined);
      request.write(body.subarray(0, 512 * 1024));
      // The body is streaming into a partial file when the process dies.
      await eventually(async () => expect((await stagedFiles(system.stagingDir)).some((f) => f.name.endsWith('.partial') && f.size > 0)).toBe(true));
      await system.service('command-api').kill();
      request.destroy();
      expect(await stagedFiles(system.stagingDir)).toHaveLength(1);

      await system.start('command-api');
      await eventually(async () => expect(await stagedFiles(system.stagingDir)).toEqual([]), 30_000, 100);
      expect(await eventCount(database.url)).toBe(0);
    } finally {
      await system.stop();
      await database.drop();
    }
  }, 120_000);

  describe('between the append and the publish of the job', () => {
    let nats: PrivateNats;
    beforeAll(async () => {
      nats = await startPrivateNats();
    });
    afterAll(async () => {
      await nats?.dispose();
    });

    it('still delivers the job: the relay publishes it from its checkpoint after the restart', async () => {
      const database = await createTestDatabase('reelay_crash');
      const system = await startChaosSystem({ databaseUrl: database.url, natsUrl: nats.url, s3Endpoint: testS3Endpoint(), services: ['command-api'] });
      try {
        // With NATS away the request is recorded, but the relay cannot publish its job …
        await nats.stop('SIGKILL');
        const token = await system.token('alice');
        const accepted = await fetch(`${system.commandApi}/v1/videos?title=t&fileName=t.mp4`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'video/mp4' },
          body: randomVideo(64 * 1024),
        });
        expect(accepted.status).toBe(202);
        expect(await eventCount(database.url)).toBe(1);
        // … and the process dies before it could.
        await system.service('command-api').kill();
        await nats.start();
        expect(await jobsInStream(nats.url, system.stream)).toEqual([]);

        const eventId = await (async () => {
          const client = new pg.Client({ connectionString: database.url });
          await client.connect();
          const row = (await client.query(`select event_id from event_log where type = 'UploadRequested'`)).rows[0] as { event_id: string };
          await client.end();
          return row.event_id;
        })();
        await system.start('command-api');
        await eventually(async () => expect((await jobsInStream(nats.url, system.stream)).map((job) => job.requestEventId)).toEqual([eventId]), 30_000, 200);
      } finally {
        await system.stop();
        await database.drop();
      }
    }, 120_000);
  });
});
