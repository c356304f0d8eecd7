import {
  JobQueue,
  S3ObjectStorage,
  VideoRepository,
  connectNats,
  createHttpApp,
  createMetricsRegistry,
  createS3Client,
  createStagingStore,
  natsReady,
  openEventStore,
  type Config,
  type Logger,
  type RunningService,
} from '@reelay/platform';
import { startUploaderWorker } from './worker';

/** Starts an uploader: a JetStream consumer that competes with any other copies for jobs. */
export async function startUploader(config: Config, logger: Logger): Promise<RunningService> {
  const events = await openEventStore(config, { applicationName: 'reelay-uploader' });
  const { store } = events;
  const storage = new S3ObjectStorage(createS3Client(config), {
    bucket: config.S3_BUCKET,
    partSizeBytes: config.UPLOAD_PART_SIZE_BYTES,
    queueSize: config.UPLOAD_QUEUE_SIZE,
  });
  await storage.ensureBucket();
  const staging = createStagingStore(config);
  const nc = await connectNats(config.NATS_URL, { name: 'reelay-uploader', logger });
  const queue = new JobQueue(nc, { stream: config.JOBS_STREAM, logger, maxDeliver: config.UPLOAD_MAX_ATTEMPTS });
  await queue.ensureStream();

  const metrics = createMetricsRegistry('uploader');
  const worker = await startUploaderWorker({
    queue,
    repository: new VideoRepository(store),
    staging,
    storage,
    logger,
    metrics,
    concurrency: config.UPLOADER_CONCURRENCY,
    maxAttempts: config.UPLOAD_MAX_ATTEMPTS,
    progressIntervalMs: config.PROGRESS_INTERVAL_MS,
    ready: () => events.ready(),
  });
  const ops = createHttpApp({
    service: 'uploader',
    logger,
    metrics,
    readiness: {
      'event-store': () => events.ready(),
      nats: async () => natsReady(nc),
      'object-storage': () => storage.exists('.readyz'),
    },
  });
  const url = await ops.listen({ host: config.HOST, port: config.UPLOADER_OPS_PORT });
  logger.info({ url, bucket: config.S3_BUCKET }, 'uploader taking jobs');

  return {
    async stop() {
      await worker.stop();
      await ops.close();
      await nc.drain().catch(() => undefined);
      await events.close();
    },
  };
}
