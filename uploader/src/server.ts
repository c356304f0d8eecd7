import {
  createHttpApp,
  createKnex,
  createMetricsRegistry,
  createStagingStore,
  ensureDatabase,
  type Config,
  type Logger,
  type RunningService,
} from '@reelay/platform';
import { JobQueue, connectNats, natsReady } from '@reelay/platform/jobs';
import { openEventStore, CommandHandler } from '@reelay/event-store';
import { S3ObjectStorage, createS3Client } from '@reelay/platform/s3';
import { videoStreamModel } from '@reelay/contracts';
import { startUploaderWorker } from './worker';
import { UploadJournals, migrateUploadJournal } from './uploadState/uploadJournal';
import { s3RangeSource } from './probeMedia/rangeSources';

/** Starts an uploader: a JetStream consumer that competes with any other copies for jobs. */
export async function startUploader(config: Config, logger: Logger): Promise<RunningService> {
  const events = await openEventStore(config, { applicationName: 'reelay-uploader' });
  const { store } = events;
  // The uploader's own table (multipart journal) lives in DATABASE_URL, whatever the event store.
  await ensureDatabase(config.DATABASE_URL);
  const knex = createKnex(config.DATABASE_URL, { applicationName: 'reelay-uploader', max: 4 });
  await migrateUploadJournal(knex);
  const s3 = createS3Client(config);
  const storage = new S3ObjectStorage(s3, {
    bucket: config.S3_BUCKET,
    partSizeBytes: config.UPLOAD_PART_SIZE_BYTES,
    queueSize: config.UPLOAD_QUEUE_SIZE,
    serverSideCopy: config.UPLOAD_SERVER_SIDE_COPY,
    wholeCopyMaxBytes: config.UPLOAD_WHOLE_COPY_MAX_BYTES,
  });
  await storage.ensureBucket();
  const staging = createStagingStore(config);
  const nc = await connectNats(config.NATS_URL, { name: 'reelay-uploader', logger });
  const queue = new JobQueue(nc, { stream: config.JOBS_STREAM, logger, maxDeliver: config.UPLOAD_MAX_ATTEMPTS, ackWaitMs: config.JOBS_ACK_WAIT_MS, replicas: config.NATS_JOBS_REPLICAS });
  await queue.ensureStream();

  const metrics = createMetricsRegistry('uploader');
  const worker = await startUploaderWorker({
    queue,
    repository: new CommandHandler(store, videoStreamModel),
    staging,
    storage,
    journals: new UploadJournals(knex),
    logger,
    metrics,
    concurrency: config.UPLOADER_CONCURRENCY,
    maxAttempts: config.UPLOAD_MAX_ATTEMPTS,
    progressIntervalMs: config.PROGRESS_INTERVAL_MS,
    ackWaitMs: config.JOBS_ACK_WAIT_MS,
    stallTimeoutMs: config.UPLOAD_STALL_TIMEOUT_MS,
    abandonedAfterMs: config.UPLOAD_ABANDONED_AFTER_MS,
    sweepIntervalMs: config.UPLOAD_SWEEP_INTERVAL_MS,
    shutdownGraceMs: config.UPLOADER_SHUTDOWN_GRACE_MS,
    ready: () => events.ready(),
    openStored: (bucket, key) => s3RangeSource(s3, bucket, key),
  });
  const ops = createHttpApp({
    service: 'uploader',
    logger,
    metrics,
    readiness: {
      'event-store': () => events.ready(),
      database: () => knex.raw('select 1'),
      nats: async () => natsReady(nc),
      'object-storage': () => storage.exists('.readyz'),
    },
  });
  const url = await ops.listen({ host: config.HOST, port: config.UPLOADER_OPS_PORT });
  logger.info({ url, bucket: config.S3_BUCKET }, 'uploader taking jobs');

  return {
    async stop() {
      logger.info('uploader stopping: no new jobs; in-flight uploads finish or are handed back');
      await worker.stop();
      await ops.close();
      await nc.drain().catch(() => undefined);
      await Promise.all([events.close(), knex.destroy()]);
      logger.info('uploader stopped');
    },
  };
}
