/**
 * Shared set-up of the uploader's integration tests: a real event store (whose database also
 * holds the uploader's journal), a JetStream stream, a bucket on the test s3rver and a staging
 * folder, all the test's own. Not used in production.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { Knex } from 'knex';
import pino from 'pino';
import type { NatsConnection } from '@nats-io/transport-node';
import { newEvent, videoStreamModel, type Job, type RecordedEvent, type VideoState } from '@reelay/contracts';
import {
  FileStagingStore,
  createKnex,
  createMetricsRegistry,
  type ObjectStorage,
  type StagingStore,
} from '@reelay/platform';
import { JobQueue, connectNats } from '@reelay/platform/jobs';
import { createTestEventStore, createTestObjectStorage, eventually, uniqueName } from '@reelay/testing';
import { CommandHandler } from '@reelay/event-store';
import { UploadJournals, migrateUploadJournal } from '../uploadState/uploadJournal';
import { startUploaderWorker, type UploaderDeps, type UploaderWorker } from '../worker';

export const MiB = 1024 * 1024;
export const silentLogger = pino({ level: 'silent' });

export interface UploaderTestKit {
  readonly events: Awaited<ReturnType<typeof createTestEventStore>>;
  readonly s3: Awaited<ReturnType<typeof createTestObjectStorage>>;
  readonly stagingDir: string;
  readonly staging: FileStagingStore;
  readonly nc: NatsConnection;
  readonly streamName: string;
  readonly queue: JobQueue;
  readonly knex: Knex;
  readonly journals: UploadJournals;
  readonly repository: CommandHandler<VideoState | undefined>;
  startWorker(overrides?: Partial<UploaderDeps>): Promise<UploaderWorker>;
  /** What the command API does (stage the bytes, record UploadRequested) and the relay's publish. */
  /** Staged in the kit's folder, or in `via` (an S3 staging store, say). */
  requestUpload(bytes: Buffer, userId?: string, via?: StagingStore): Promise<{ videoId: string; job: Job; stagingRef: string }>;
  streamOf(videoId: string): Promise<RecordedEvent[]>;
  typesOf(videoId: string): Promise<string[]>;
  waitForType(videoId: string, type: string, timeoutMs?: number): Promise<RecordedEvent[]>;
  dispose(): Promise<void>;
}

export async function createUploaderTestKit(options: { ackWaitMs?: number; maxDeliver?: number; partSizeBytes?: number } = {}): Promise<UploaderTestKit> {
  const events = await createTestEventStore();
  const s3 = await createTestObjectStorage({ partSizeBytes: options.partSizeBytes ?? 5 * MiB });
  const stagingDir = await mkdtemp(path.join(os.tmpdir(), 'reelay-uploader-staging-'));
  const staging = new FileStagingStore(stagingDir);
  const nc = await connectNats(process.env.TEST_NATS_URL ?? 'nats://127.0.0.1:4222', { name: 'uploader-test', logger: silentLogger });
  const streamName = uniqueName('UPLOADER');
  const queue = new JobQueue(nc, { stream: streamName, logger: silentLogger, maxDeliver: options.maxDeliver ?? 3, ackWaitMs: options.ackWaitMs });
  await queue.ensureStream();
  const knex = createKnex(events.url, { applicationName: 'uploader-test', max: 4 });
  await migrateUploadJournal(knex);
  const journals = new UploadJournals(knex);
  const repository = new CommandHandler(events.store, videoStreamModel);
  const workers = new Set<UploaderWorker>();

  const streamOf = (videoId: string) => events.store.readStream(`video-${videoId}`);
  const typesOf = async (videoId: string) => (await streamOf(videoId)).map((e) => e.type);

  return {
    events,
    s3,
    stagingDir,
    staging,
    nc,
    streamName,
    queue,
    knex,
    journals,
    repository,
    async startWorker(overrides = {}) {
      const worker = await startUploaderWorker({
        queue,
        repository,
        staging,
        storage: s3.storage as ObjectStorage,
        journals,
        logger: silentLogger,
        metrics: createMetricsRegistry('uploader-test'),
        concurrency: 2,
        maxAttempts: 3,
        progressIntervalMs: 0,
        ackWaitMs: options.ackWaitMs ?? 30_000,
        stallTimeoutMs: 60_000,
        ...overrides,
      });
      workers.add(worker);
      return worker;
    },
    async requestUpload(bytes, userId = 'alice', via: StagingStore = staging) {
      const videoId = randomUUID();
      const staged = await via.write(videoId, Readable.from([bytes]), { maxBytes: bytes.length });
      const metadata = { correlationId: randomUUID(), causationId: randomUUID(), userId };
      const requested = newEvent(
        {
          type: 'UploadRequested',
          data: {
            videoId: videoId as never,
            userId: userId as never,
            metaInfo: { title: 't', fileName: 'f.mp4', contentType: 'video/mp4', sizeBytes: staged.sizeBytes, sha256: staged.sha256 },
            stagingRef: staged.ref,
          },
        },
        metadata,
      );
      await events.store.appendToStream(`video-${videoId}`, [requested], { expectedRevision: 'no_stream' });
      const job: Job = { kind: 'upload', videoId: videoId as never, requestEventId: requested.id };
      await queue.publish(job);
      return { videoId, job, stagingRef: staged.ref };
    },
    streamOf,
    typesOf,
    async waitForType(videoId, type, timeoutMs = 30_000) {
      return eventually(async () => {
        const stream = await streamOf(videoId);
        if (!stream.some((e) => e.type === type)) throw new Error(`no ${type} for ${videoId}; saw ${stream.map((e) => e.type).join(', ')}`);
        return stream;
      }, timeoutMs);
    },
    async dispose() {
      await Promise.all([...workers].map((worker) => worker.stop()));
      await queue.deleteStream().catch(() => undefined);
      await nc.close();
      await knex.destroy();
      await s3.cleanup();
      await events.dispose();
      await rm(stagingDir, { recursive: true, force: true });
    },
  };
}
