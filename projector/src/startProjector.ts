import type { Knex } from 'knex';
import {
  createHttpApp,
  createKnex,
  createMetricsRegistry,
  DEVELOPMENT_KEK_WARNING,
  ensureDatabase,
  PersonalDataVault,
  migrateLeases,
  runWhileLeaseHeld,
  type Config,
  type Logger,
  type RunningService,
} from '@reelay/platform';
import { loadCheckpoint, openEventStore } from '@reelay/event-store';
import { registerLogHoldbackMetrics } from './ops/logHoldbackMetrics';
import { createProjectionMetrics } from './ops/projectionMetrics';
import { sealPeriodically } from './ops/sealPeriodically';
import { migrateReadModel } from './readModel/migrateReadModel';
import { readProjectionVersions } from './readModel/projectionVersions';
import { VideoInfoProjection, type ProjectionObserver } from './videoInfo/videoInfoProjection';
import { VIDEO_INFO_PROJECTION } from './videoInfo/videoInfo';

export interface RunningProjector extends RunningService {
  /** Where /healthz, /readyz and /metrics answer, e.g. `http://127.0.0.1:3003`. */
  readonly opsUrl: string;
  /** Whether this copy holds the projection's lease and writes the read model (else it stands by). */
  isWriter(): boolean;
}

export interface StartProjectorOptions {
  /** Extra hooks, e.g. for tests; metrics are always recorded. */
  readonly observer?: ProjectionObserver;
  /** The writer's lease: how long a dead writer blocks its standby (default 3 s). */
  readonly leaseTtlMs?: number;
}

/** The lease that makes one projector copy the writer of `video_info`. */
export const VIDEO_INFO_LEASE = `projection:${VIDEO_INFO_PROJECTION}`;

/** Closes whatever was opened, newest first; a failing closer does not keep the others open. */
async function closeAll(closers: ReadonlyArray<() => Promise<unknown>>): Promise<void> {
  for (const close of [...closers].reverse()) await close().catch(() => undefined);
}

/**
 * The projector process: migrates the read model, and follows the event store into `video_info`
 * while it holds the projection's lease — as a hot standby otherwise, taking over within the
 * lease's TTL when the writer dies. Serves /healthz, /readyz and /metrics on PROJECTOR_OPS_PORT
 * either way. `stop()` finishes the batch in flight, lets the lease go, then closes everything.
 */
export async function startProjector(config: Config, logger: Logger, options: StartProjectorOptions = {}): Promise<RunningProjector> {
  const closers: Array<() => Promise<unknown>> = [];
  try {
    await ensureDatabase(config.DATABASE_URL);
    const knex: Knex = createKnex(config.DATABASE_URL, { applicationName: 'reelay-projector' });
    closers.push(() => knex.destroy());
    await migrateReadModel(knex);
    await migrateLeases(knex);
    const personalData = PersonalDataVault.fromConfig(knex, config);
    await personalData.migrate();
    if (personalData.kek.development) logger.warn(DEVELOPMENT_KEK_WARNING);

    const events = await openEventStore(config, { applicationName: 'reelay-projector' });
    closers.push(() => events.close());
    const { store } = events;

    const metrics = createMetricsRegistry('projector');
    let writer = false;
    const recorded = createProjectionMetrics(metrics, {
      store,
      diagnostics: events.diagnostics,
      checkpoint: () => loadCheckpoint(knex, VIDEO_INFO_PROJECTION),
      leaseHeld: () => writer,
      activeVersion: async () => (await readProjectionVersions(knex, VIDEO_INFO_PROJECTION)).activeVersion,
    });
    registerLogHoldbackMetrics(metrics, events.diagnostics);
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
    const lease = runWhileLeaseHeld({
      knex,
      name: VIDEO_INFO_LEASE,
      logger,
      ttlMs: options.leaseTtlMs,
      start: ({ fence }) => {
        const projection = new VideoInfoProjection({ knex, store, logger, observer, fence, personalData });
        projection.start();
        return projection;
      },
      onChange: (held) => {
        writer = held;
        logger.info({ lease: VIDEO_INFO_LEASE }, held ? 'writing the read model' : 'standing by');
      },
    });
    closers.push(() => lease.stop());
    if (events.seal && config.LOG_SEAL_INTERVAL_MS > 0) {
      const sealer = sealPeriodically({ seal: events.seal, intervalMs: config.LOG_SEAL_INTERVAL_MS, isWriter: () => writer, logger });
      closers.push(() => sealer.stop());
    }

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
      isWriter: () => writer,
      stop: () => (stopped ??= closeAll(closers)),
    };
  } catch (error) {
    await closeAll(closers);
    throw error;
  }
}
