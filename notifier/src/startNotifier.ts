import { videoStreamModel, type Position } from '@reelay/contracts';
import {
  DEVELOPMENT_KEK_WARNING,
  PersonalDataVault,
  createHttpApp,
  createKnex,
  createMetricsRegistry,
  ensureDatabase,
  type Config,
  type Logger,
  type RunningService,
} from '@reelay/platform';
import { loadCheckpoint, migrateCheckpoints, openEventStore, startCheckpointedSubscription, CommandHandler } from '@reelay/event-store';
import { createPushSender } from './push/createPushSender';
import { TERMINAL_EVENT_TYPES } from './notifyOnTerminalEvents/decideNotification';
import { createNotifierMetrics } from './notifyOnTerminalEvents/notifierMetrics';
import { registerSubscriptionMetrics } from './ops/subscriptionMetrics';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './notifyOnTerminalEvents/retryTransient';
import { TerminalEventNotifier } from './notifyOnTerminalEvents/terminalEventNotifier';

/** The checkpoint the notifier's copies share in the read-model database. */
export const NOTIFIER_CHECKPOINT = 'notifier';

/** Tuning that has no environment variable; tests shorten the waits. */
export interface NotifierOptions {
  /** Retries of a transient send failure within a batch. */
  readonly retry?: RetryPolicy;
  /** How long to wait before following the log again after a batch failed (e.g. retries ran out). */
  readonly restartDelayMs?: number;
  /**
   * Events per batch. Small, because a batch's checkpoint moves only when every push in it is
   * done: a crash replays at most this many events (each then skipped as already notified).
   */
  readonly batchSize?: number;
}

export interface RunningNotifier extends RunningService {
  /** Where `/healthz`, `/readyz` and `/metrics` are served. */
  readonly opsUrl: string;
  /** `onesignal` or `log`. */
  readonly provider: string;
  /** How far this copy has followed the log (for tests and lag reports). */
  position(): Position;
}

/**
 * Starts the notifier: follows the global log from its checkpoint and sends one push per
 * `UploadCompleted` / `UploadFailed`, through OneSignal when its keys are configured and to the
 * log otherwise. `stop()` lets the push in flight finish, abandons retry waits (their events are
 * handled again on the next start) and releases every connection.
 */
export async function startNotifier(config: Config, logger: Logger, options: NotifierOptions = {}): Promise<RunningNotifier> {
  const events = await openEventStore(config, { applicationName: 'reelay-notifier', maxConnections: 4 });
  const { store } = events;
  await ensureDatabase(config.DATABASE_URL);
  const knex = createKnex(config.DATABASE_URL, { applicationName: 'reelay-notifier', max: 2 });
  const releaseConnections = async () => {
    await Promise.all([events.close(), knex.destroy()]);
  };

  const personalData = PersonalDataVault.fromConfig(knex, config);
  try {
    await migrateCheckpoints(knex);
    await personalData.migrate();
  } catch (error) {
    await releaseConnections();
    throw error;
  }

  const sender = createPushSender(config, logger);
  if (sender.provider === 'log') {
    logger.warn('ONESIGNAL_APP_ID and ONESIGNAL_API_KEY are unset: pushes are written to the log, not sent');
  } else {
    logger.info({ provider: sender.provider, apiUrl: config.ONESIGNAL_API_URL }, 'pushes go to OneSignal');
  }

  const registry = createMetricsRegistry('notifier');
  const metrics = createNotifierMetrics(registry);
  const throughput = registerSubscriptionMetrics(registry, {
    name: NOTIFIER_CHECKPOINT,
    checkpoint: () => loadCheckpoint(knex, NOTIFIER_CHECKPOINT),
    diagnostics: events.diagnostics,
  });
  const notifier = new TerminalEventNotifier({
    repository: new CommandHandler(store, videoStreamModel),
    sender,
    metrics,
    logger,
    retry: options.retry ?? DEFAULT_RETRY_POLICY,
    personalData,
  });
  if (personalData.kek.development) logger.warn(DEVELOPMENT_KEK_WARNING);
  const follower = startCheckpointedSubscription({
    name: NOTIFIER_CHECKPOINT,
    store,
    knex,
    logger: logger.child({ component: 'subscription' }),
    eventTypes: TERMINAL_EVENT_TYPES,
    batchSize: options.batchSize ?? 20,
    retryDelayMs: options.restartDelayMs ?? 15_000,
    // One push at a time: batches are small, and order keeps the log easy to follow. No
    // transaction: the effects are HTTP calls and appends, so the checkpoint moves afterwards.
    handle: async (events, { signal }) => {
      for (const event of events) await notifier.notify(event, signal);
      throughput.handled(events.length);
    },
  });

  const app = createHttpApp({
    service: 'notifier',
    logger,
    metrics: registry,
    readiness: {
      'event-store': () => events.ready(),
      database: () => knex.raw('select 1'),
    },
  });
  let opsUrl: string;
  try {
    opsUrl = await app.listen({ host: config.HOST, port: config.NOTIFIER_OPS_PORT });
  } catch (error) {
    await follower.stop();
    await app.close();
    await releaseConnections();
    throw error;
  }
  logger.info({ opsUrl }, 'notifier running');

  return {
    opsUrl,
    provider: sender.provider,
    position: () => follower.position(),
    async stop() {
      await follower.stop();
      await app.close();
      await releaseConnections();
    },
  };
}
