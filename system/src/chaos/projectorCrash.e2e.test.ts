import { describe, it, expect } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { createKnex } from '@reelay/platform';
import { openEventStore } from '@reelay/event-store';
import { verifyVideoInfo } from '@reelay/projector';
import { createTestDatabase, eventually, testS3Endpoint } from '@reelay/testing';
import { startChaosSystem } from './chaosSystem';
import { appendJourney } from './journeys';
import { readModelDrift } from './readModelDrift';

const VIDEOS = 400;

describe('the projector killed with SIGKILL in the middle of its batches', () => {
  it('applies no event twice and skips none: the read model ends equal to the fold of every stream', async () => {
    const database = await createTestDatabase('reelay_projector_crash');
    const events = await openEventStore({ EVENT_STORE_URL: database.url }, { applicationName: 'projector-crash-test', maxConnections: 8 });
    const knex = createKnex(database.url, { max: 2 });
    const system = await startChaosSystem({
      databaseUrl: database.url,
      natsUrl: process.env.TEST_NATS_URL ?? 'nats://127.0.0.1:4222',
      s3Endpoint: testS3Endpoint(),
      services: ['projector'],
    });
    const projector = system.service('projector');
    const checkpoint = async () =>
      ((await knex('subscription_checkpoints').where({ name: 'video_info' }).first('commit_position', 'prepare_position')) as
        | { commit_position: string; prepare_position: string }
        | undefined) ?? null;
    try {
      // A backlog, so that the projector is busy with batches when it is killed.
      await projector.kill();
      const videoIds = Array.from({ length: VIDEOS }, () => randomUUID());
      for (let i = 0; i < videoIds.length; i += 8) await Promise.all(videoIds.slice(i, i + 8).map((id) => appendJourney(events.store, id)));

      const kills: Array<unknown> = [];
      for (let round = 0; round < 3; round += 1) {
        const before = JSON.stringify(await checkpoint());
        await system.start('projector');
        // Killed the moment it has committed something: it is then in the midst of its backlog.
        await eventually(async () => expect(JSON.stringify(await checkpoint())).not.toBe(before), 30_000, 5);
        await projector.kill();
        kills.push(await checkpoint());
      }
      expect(new Set(kills.map((k) => JSON.stringify(k))).size).toBe(3);
      // Each kill came with the backlog still unfinished.
      expect(await readModelDrift(events.store, knex, videoIds)).not.toEqual([]);

      await system.start('projector');
      await eventually(async () => expect(await readModelDrift(events.store, knex, videoIds)).toEqual([]), 60_000, 500);
      expect(await knex('video_info').count({ n: '*' }).first()).toEqual({ n: VIDEOS });
      // And as `reelay verify read-model` sees it: equal to a replay of the log, row for row.
      const verified = await verifyVideoInfo({ knex, store: events.store });
      expect({ rows: verified.rowsCompared, differences: verified.differences }).toEqual({ rows: VIDEOS, differences: [] });
    } finally {
      await system.stop();
      await knex.destroy();
      await events.close();
      await database.drop();
    }
  }, 180_000);
});
