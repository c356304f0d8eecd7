import type { Knex } from 'knex';
import { comparePositions } from '@reelay/contracts';
import { createKnex, createLogger } from '@reelay/platform';
import { loadCheckpoint } from '@reelay/event-store';
import { createTestEventStore, eventually } from '@reelay/testing';
import { migrateReadModel } from '../readModel/migrateReadModel';
import { VIDEO_INFO_PROJECTION } from '../videoInfo/videoInfo';
import { VideoInfoProjection, type ProjectionObserver } from '../videoInfo/videoInfoProjection';

/**
 * A test's own database holding both the event store and the read model (the default layout),
 * with helpers to run projections on it. `dispose()` stops them and drops the database.
 */
export async function createReadModelTestContext() {
  const eventStore = await createTestEventStore();
  const knex: Knex = createKnex(eventStore.url, { max: 6 });
  await migrateReadModel(knex);
  const logger = createLogger('projector-test', 'silent');
  const projections: VideoInfoProjection[] = [];

  return {
    ...eventStore,
    knex,
    logger,
    /** Starts a projection copy; it is stopped by dispose() unless stopped earlier. */
    startProjection(options: { observer?: ProjectionObserver; batchSize?: number } = {}): VideoInfoProjection {
      const projection = new VideoInfoProjection({ knex, store: eventStore.store, logger, retryDelayMs: 50, ...options });
      projections.push(projection);
      projection.start();
      return projection;
    },
    /** Resolves once the stored checkpoint has reached the head of the log. */
    async caughtUp(): Promise<void> {
      await eventually(async () => {
        const [checkpoint, head] = await Promise.all([loadCheckpoint(knex, VIDEO_INFO_PROJECTION), eventStore.store.headPosition()]);
        if (comparePositions(checkpoint, head) < 0) throw new Error(`projection at ${checkpoint.prepare}, log at ${head.prepare}`);
      });
    },
    async dispose(): Promise<void> {
      await Promise.all(projections.map((projection) => projection.stop()));
      await knex.destroy();
      await eventStore.dispose();
    },
  };
}

export type ReadModelTestContext = Awaited<ReturnType<typeof createReadModelTestContext>>;
