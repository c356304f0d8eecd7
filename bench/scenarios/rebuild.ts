import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { comparePositions, videoStreamName } from '@reelay/contracts';
import { createKnex, loadCheckpoint, openEventStore } from '@reelay/platform';
import { createTestDatabase } from '@reelay/platform/testing';
import { VIDEO_INFO_PROJECTION, VideoInfoProjection, migrateReadModel, rebuildVideoInfo, verifyVideoInfo } from '@reelay/projector';
import { stats, type BenchRow, type Scenario } from '../scenario';
import { uploadStream } from './replay';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
/** 9,091 uploads of 11 events: 100,001 events. */
const VIDEOS = Number(process.env.BENCH_REBUILD_VIDEOS ?? 9091);

/**
 * `reelay projections rebuild` and `reelay verify read-model` over a log of about 100,000 events,
 * beside the live projector replaying the same log from the start into an empty read model (the
 * baseline), with that projector still running, caught up, during both.
 */
export const rebuild: Scenario = {
  name: 'rebuild',
  async run(): Promise<BenchRow[]> {
    const logDb = await createTestDatabase('reelay_bench_log');
    const events = await openEventStore({ EVENT_STORE_URL: logDb.url }, { applicationName: 'bench-rebuild', maxConnections: 8 });
    try {
      for (let i = 0; i < VIDEOS; i += 8) {
        await Promise.all(
          Array.from({ length: Math.min(8, VIDEOS - i) }, () => {
            const videoId = randomUUID();
            return events.store.appendToStream(videoStreamName(videoId), uploadStream(videoId), { expectedRevision: 'no_stream' });
          }),
        );
      }
      const head = await events.store.headPosition();
      const total = VIDEOS * 11;
      const live: number[] = [];
      const rebuildRate: number[] = [];
      const rebuildSeconds: number[] = [];
      const verifyRate: number[] = [];
      for (let round = 0; round < ROUNDS; round += 1) {
        const readModel = await createTestDatabase('reelay_bench_rm');
        const knex = createKnex(readModel.url, { max: 6 });
        const projection = new VideoInfoProjection({ knex, store: events.store, logger: pino({ level: 'silent' }), batchSize: 500 });
        try {
          await migrateReadModel(knex);
          const started = performance.now();
          projection.start();
          while (comparePositions(await loadCheckpoint(knex, VIDEO_INFO_PROJECTION), head) < 0) await new Promise((r) => setTimeout(r, 5));
          live.push(total / ((performance.now() - started) / 1000));

          const result = await rebuildVideoInfo({ knex, store: events.store });
          rebuildSeconds.push(result.durationMs / 1000);
          rebuildRate.push(result.events / (result.durationMs / 1000));
          const verified = await verifyVideoInfo({ knex, store: events.store });
          if (verified.differences.length > 0) throw new Error(`verify found ${verified.differences.length} differences after a rebuild`);
          verifyRate.push(verified.eventsPerSecond);
        } finally {
          await projection.stop();
          await knex.destroy();
          await readModel.drop();
        }
      }
      const baseline = stats(live);
      const r = stats(rebuildRate);
      const v = stats(verifyRate);
      const scenario = `rebuild of ${total} events`;
      return [
        { scenario, metric: 'projections rebuild (replay, switch, drop) vs the projector replaying from the start', unit: 'events/s', reelay: r, baseline, ratio: r.median / baseline.median, goal: '≥ 0.5×' },
        { scenario, metric: 'projections rebuild, whole', unit: 's', reelay: stats(rebuildSeconds), goal: 'report' },
        { scenario, metric: 'verify read-model (replay into a shadow table, compare) vs the projector replaying', unit: 'events/s', reelay: v, baseline, ratio: v.median / baseline.median, goal: 'report' },
      ];
    } finally {
      await events.close();
      await logDb.drop();
    }
  },
};
