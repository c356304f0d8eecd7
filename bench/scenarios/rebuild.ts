import { createKnex } from '@reelay/platform';
import { createTestDatabase } from '@reelay/testing';
import { migrateReadModel, rebuildVideoInfo, verifyVideoInfo } from '@reelay/projector';
import { replayFromStart, withUploadLog } from '../harness/uploadLog';
import { stats, type BenchRow, type Scenario } from '../scenario';

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
  run: () =>
    withUploadLog('bench-rebuild', VIDEOS, async (log): Promise<BenchRow[]> => {
      const live: number[] = [];
      const rebuildRate: number[] = [];
      const rebuildSeconds: number[] = [];
      const verifyRate: number[] = [];
      for (let round = 0; round < ROUNDS; round += 1) {
        const readModel = await createTestDatabase('reelay_bench_rm');
        const knex = createKnex(readModel.url, { max: 6 });
        let projection: { stop(): Promise<void> } | undefined;
        try {
          await migrateReadModel(knex);
          const replayed = await replayFromStart(knex, log, 500);
          projection = replayed.projection;
          live.push(replayed.eventsPerSecond);

          const result = await rebuildVideoInfo({ knex, store: log.events.store });
          rebuildSeconds.push(result.durationMs / 1000);
          rebuildRate.push(result.events / (result.durationMs / 1000));
          const verified = await verifyVideoInfo({ knex, store: log.events.store });
          if (verified.differences.length > 0) throw new Error(`verify found ${verified.differences.length} differences after a rebuild`);
          verifyRate.push(verified.eventsPerSecond);
        } finally {
          await projection?.stop();
          await knex.destroy();
          await readModel.drop();
        }
      }
      const baseline = stats(live);
      const r = stats(rebuildRate);
      const v = stats(verifyRate);
      const scenario = `rebuild of ${log.total} events`;
      return [
        { scenario, metric: 'projections rebuild (replay, switch, drop) vs the projector replaying from the start', unit: 'events/s', reelay: r, baseline, ratio: r.median / baseline.median, goal: '≥ 0.5×' },
        { scenario, metric: 'projections rebuild, whole', unit: 's', reelay: stats(rebuildSeconds), goal: 'report' },
        { scenario, metric: 'verify read-model (replay into a shadow table, compare) vs the projector replaying', unit: 'events/s', reelay: v, baseline, ratio: v.median / baseline.median, goal: 'report' },
      ];
    }),
};
