import { randomUUID } from 'node:crypto';
import { createKnex, newEvent, openEventStore, type EventStore } from '@reelay/platform';
import { createTestDatabase, eventually, testS3Endpoint } from '@reelay/platform/testing';
import { startChaosSystem } from './chaosSystem';
import { readModelDrift } from './readModelDrift';

const VIDEOS = 400;

/** One video's whole journey, appended as one write: requested, started, three progress reports, completed. */
async function appendJourney(store: EventStore, videoId: string): Promise<void> {
  const userId = `user-${videoId.slice(0, 2)}`;
  const meta = { correlationId: videoId, causationId: videoId, userId };
  const objectKey = `videos/${videoId}`;
  const size = 1000;
  await store.appendToStream(
    `video-${videoId}`,
    [
      newEvent(
        {
          type: 'UploadRequested',
          data: {
            videoId: videoId as never,
            userId: userId as never,
            metaInfo: { title: 't', fileName: 't.mp4', contentType: 'video/mp4', sizeBytes: size, sha256: '0'.repeat(64) },
            stagingRef: `file:///nowhere/${videoId}`,
          },
        },
        meta,
      ),
      newEvent({ type: 'UploadStarted', data: { attempt: 1, bucket: 'b', objectKey } }, meta),
      ...[25, 50, 75].map((percentage) =>
        newEvent({ type: 'ProgressReported', data: { attempt: 1, uploadedBytes: percentage * 10, totalBytes: size, percentage } }, meta),
      ),
      newEvent({ type: 'UploadCompleted', data: { attempt: 1, bucket: 'b', objectKey, etag: '"e"', sizeBytes: size, durationMs: 5 } }, meta),
    ],
    { expectedRevision: 'no_stream' },
  );
}

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
    } finally {
      await system.stop();
      await knex.destroy();
      await events.close();
      await database.drop();
    }
  }, 180_000);
});
