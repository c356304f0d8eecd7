import { randomUUID } from 'node:crypto';
import { createKnex } from '@reelay/platform';
import { createTestDatabase } from '@reelay/testing';
import { migrateReadModel } from '@reelay/projector';
import { replayFromStart, withUploadLog } from '../harness/uploadLog';
import { stats, type BenchRow, type Scenario } from '../scenario';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const VIDEOS = Number(process.env.BENCH_REPLAY_VIDEOS ?? 1000);
const BATCH = 500;

/** Rebuilding `video_info` from the log, against raw batched INSERTs of as many rows into the same table. */
export const replay: Scenario = {
  name: 'replay',
  run: () =>
    withUploadLog('bench-replay', VIDEOS, async (log): Promise<BenchRow[]> => {
      const reelay: number[] = [];
      const baseline: number[] = [];
      for (let round = 0; round < ROUNDS; round += 1) {
        const readModel = await createTestDatabase('reelay_bench_rm');
        const knex = createKnex(readModel.url, { max: 4 });
        try {
          await migrateReadModel(knex);
          const { eventsPerSecond, projection } = await replayFromStart(knex, log, BATCH);
          reelay.push(eventsPerSecond);
          await projection.stop();

          // The same number of rows, written raw into the same table (same indexes), in batches.
          await knex('video_info').delete();
          const rows = Array.from({ length: log.total }, (_, i) => ({
            video_id: randomUUID(),
            user_id: `user-${i % 1000}`,
            status: 'UPLOADED',
            uploaded_percentage: 100,
            meta_info: JSON.stringify({ title: 't', fileName: 'f.mp4', contentType: 'video/mp4', sizeBytes: 1, sha256: 'a'.repeat(64) }),
            requested_at: new Date(),
            uploaded_at: new Date(),
            failure_reason: null,
            last_revision: 10,
          }));
          const rawStarted = performance.now();
          for (let i = 0; i < rows.length; i += BATCH) await knex('video_info').insert(rows.slice(i, i + BATCH));
          baseline.push(log.total / ((performance.now() - rawStarted) / 1000));
        } finally {
          await knex.destroy();
          await readModel.drop();
        }
      }
      const r = stats(reelay);
      const b = stats(baseline);
      return [{ scenario: `replay of ${log.total} events`, metric: 'projector rebuild vs raw batched INSERT', unit: 'events/s', reelay: r, baseline: b, ratio: r.median / b.median, goal: '≥ 0.5×' }];
    }),
};
