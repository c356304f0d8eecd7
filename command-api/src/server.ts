import {
  DEVELOPMENT_KEK_WARNING,
  PersonalDataVault,
  createKnex,
  createMetricsRegistry,
  createStagingStore,
  ensureDatabase,
  migrateIntakeProgress,
  type Config,
  type Logger,
  type RunningService,
} from '@reelay/platform';
import { createTokenVerifier } from '@reelay/platform/auth';
import { JobQueue, connectNats, natsReady } from '@reelay/platform/jobs';
import { migrateCheckpoints, openEventStore, CommandHandler } from '@reelay/event-store';
import { videoStreamModel } from '@reelay/contracts';
import { buildCommandApi, commandApiLimits } from './app';
import { IntakeProgress } from './intakeProgress/intakeProgress';
import { createTusArea } from './resumableUpload/createTusArea';
import { OpenUploads } from './resumableUpload/openUploads';
import { PostgresLocker } from './resumableUpload/postgresLocker';
import { startUploadExpiry, type UploadExpiry } from './resumableUpload/startUploadExpiry';
import { startJobRelay } from './jobRelay/jobRelay';
import { ContentClaims } from './contentDedupe/contentClaims';
import { startStagingSweeper, type StagingSweeper } from './stagingSweeper/startStagingSweeper';

export interface RunningCommandApi extends RunningService {
  readonly url: string;
}

/** Starts the command API and, beside it, the relay that turns recorded requests into jobs. */
export async function startCommandApi(config: Config, logger: Logger): Promise<RunningCommandApi> {
  // Secrets in it are redacted by the logger; the rest is what an operator needs to see.
  logger.info({ config }, 'configuration');
  const events = await openEventStore(config, { applicationName: 'reelay-command-api' });
  const { store } = events;
  await ensureDatabase(config.DATABASE_URL);
  const knex = createKnex(config.DATABASE_URL, { applicationName: 'reelay-command-api', max: 4 });
  await migrateCheckpoints(knex);
  const personalData = PersonalDataVault.fromConfig(knex, config);
  await personalData.migrate();
  if (personalData.kek.development) logger.warn(DEVELOPMENT_KEK_WARNING);
  await migrateIntakeProgress(knex);
  const claims = new ContentClaims(knex);
  await claims.migrate();
  await OpenUploads.migrate(knex);
  // On DATABASE_URL, which every command API process of a deployment shares (the event store may be elsewhere).
  const locker = new PostgresLocker({ connectionString: config.DATABASE_URL, applicationName: 'reelay-command-api-tus-locks', logger: logger.child({ component: 'tus-locker' }) });
  await locker.start();
  const staging = createStagingStore(config);
  await staging.prepare?.();
  const progress = new IntakeProgress(knex, logger.child({ component: 'intake-progress' }));
  const nc = await connectNats(config.NATS_URL, { name: 'reelay-command-api', logger });
  const queue = new JobQueue(nc, { stream: config.JOBS_STREAM, logger, maxDeliver: config.UPLOAD_MAX_ATTEMPTS, replicas: config.NATS_JOBS_REPLICAS });
  await queue.ensureStream();

  const verifier = createTokenVerifier(config);
  if (verifier.mode === 'development') {
    logger.warn('AUTH_JWT_SECRET and AUTH_JWKS_URL are unset: accepting tokens signed with the development secret (npm run token -- <userId>)');
  }
  const { app, tusStore } = buildCommandApi({
    logger,
    metrics: createMetricsRegistry('command-api'),
    readiness: {
      'event-store': () => events.ready(),
      database: () => knex.raw('select 1'),
      nats: async () => natsReady(nc),
      staging: () => staging.list(),
      // tus requests need it for their upload's lock; it has a connection of its own.
      'tus-locks': () => locker.ready(),
    },
    verifier,
    store,
    staging,
    limits: commandApiLimits(config),
    queryApiUrl: config.QUERY_API_PUBLIC_URL,
    personalData,
    tus: {
      area: createTusArea(staging, config.TUS_UPLOAD_EXPIRATION_MS),
      expirationMs: config.TUS_UPLOAD_EXPIRATION_MS,
      locker,
      openUploads: new OpenUploads(knex, { maxPerUser: config.MAX_OPEN_UPLOADS_PER_USER, expirationMs: config.TUS_UPLOAD_EXPIRATION_MS }),
    },
    progress,
    claims,
  });
  const relay = startJobRelay({ store, knex, queue, logger: logger.child({ component: 'job-relay' }) });
  const sweeper: StagingSweeper | undefined =
    config.STAGING_SWEEP_INTERVAL_MS > 0
      ? startStagingSweeper({
          staging,
          repository: new CommandHandler(store, videoStreamModel),
          graceMs: config.STAGING_SWEEP_GRACE_MS,
          intervalMs: config.STAGING_SWEEP_INTERVAL_MS,
          logger: logger.child({ component: 'staging-sweeper' }),
        })
      : undefined;
  const expiry: UploadExpiry | undefined =
    tusStore && config.STAGING_SWEEP_INTERVAL_MS > 0
      ? startUploadExpiry({ store: tusStore, progress, intervalMs: config.STAGING_SWEEP_INTERVAL_MS, logger: logger.child({ component: 'upload-expiry' }) })
      : undefined;
  const url = await app.listen({ host: config.HOST, port: config.COMMAND_API_PORT });
  logger.info({ url }, 'command API listening');

  return {
    url,
    async stop() {
      await app.close();
      // After the requests: none holds or waits for an upload's lock any more.
      await locker.stop();
      await sweeper?.stop();
      await expiry?.stop();
      await relay.stop();
      await nc.drain().catch(() => undefined);
      await Promise.all([events.close(), knex.destroy()]);
    },
  };
}
