import type { Knex } from 'knex';
import {
  createHttpApp,
  createKnex,
  createMetricsRegistry,
  ensureDatabase,
  loadCheckpoint,
  openEventStore,
  type Config,
  type Logger,
  type RunningService,
} from '@reelay/platform';
import { createProjectionMetrics } from './ops/projectionMetrics';
import { migrateReadModel } from './readModel/migrateReadModel';
import { VideoInfoProjection, type ProjectionObserver } from './videoInfo/videoInfoProjection';
import { VIDEO_INFO_PROJECTION } from './videoInfo/videoInfo';

export interface RunningProjector extends RunningService {
  /** Where /healthz, /readyz and /metrics answer, e.g. `http://127.0.0.1:3003`. */
  readonly opsUrl: string;
  readonly projection: VideoInfoProjection;
}

export interface StartProjectorOptions {
  /** Extra hooks, e.g. for tests; metrics are always recorded. */
  readonly observer?: ProjectionObserver;
}

/** Closes whatever was opened, newest first; a failing closer does not keep the others open. */
async function closeAll(closers: ReadonlyArray<() => Promise<unknown>>): Promise<void> {
  for (const close of [...closers].reverse()) await close().catch(() => undefined);
}

/**
 * The projector process: migrates the read model, follows the event store into `video_info`,
 * and serves /healthz, /readyz and /metrics on PROJECTOR_OPS_PORT. `stop()` finishes the batch in
 * flight, then closes the ops server and every pool.
 */
export async function startProjector(config: Config, logger: Logger, options: StartProjectorOptions = {}): Promise<RunningProjector> {
  const closers: Array<() => Promise<unknown>> = [];
  try {
    await ensureDatabase(config.DATABASE_URL);
    const knex: Knex = createKnex(config.DATABASE_URL, { applicationName: 'reelay-projector' });
    closers.push(() => knex.destroy());
    await migrateReadModel(knex);

    const events = await openEventStore(config, { applicationName: 'reelay-projector' });
    closers.push(() => events.close());
    const { store } = events;

    const metrics = createMetricsRegistry('projector');
    const recorded = createProjectionMetrics(metrics, store, () => loadCheckpoint(knex, VIDEO_INFO_PROJECTION));
    const observer: ProjectionObserver = {
      batchCommitted(outcome, position) {
        recorded.batchCommitted?.(outcome, position);
        options.observer?.batchCommitted?.(outcome, position);
      },
      restarted(reason) {
        recorded.restarted?.(reason);
        options.observer?.restarted?.(reason);
      },
    };
    const projection = new VideoInfoProjection({ knex, store, logger, observer });
    projection.start();
    closers.push(() => projection.stop());

    const app = createHttpApp({
      service: 'projector',
      logger,
      metrics,
      readiness: { 'read model database': () => knex.raw('select 1'), 'event store': () => events.ready() },
    });
    closers.push(() => app.close());
    const opsUrl = await app.listen({ host: config.HOST, port: config.PROJECTOR_OPS_PORT });
    logger.info({ opsUrl }, 'projector started');

    let stopped: Promise<void> | undefined;
    return {
      opsUrl,
      projection,
      stop: () => (stopped ??= closeAll(closers)),
    };
  } catch (error) {
    await closeAll(closers);
    throw error;
  }
}
