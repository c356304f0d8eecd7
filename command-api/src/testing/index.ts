import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import {
  FileStagingStore,
  PersonalDataVault,
  createKnex,
  createPool,
  createMetricsRegistry,
  migrateIntakeProgress,
  type FileStagingStoreOptions,
  type Logger,
  type StagingStore,
} from '@reelay/platform';
import { createTokenVerifier, signToken, type TokenVerifier } from '@reelay/platform/auth';
import { PostgresEventStore } from '@reelay/event-store';
import { S3StagingStore } from '@reelay/platform/s3';
import { createTestEventStore, createTestS3Client, emptyAndDeleteBucket, uniqueBucketName } from '@reelay/testing';
import { buildCommandApi, type CommandApiLimits } from '../app';
import { IntakeProgress } from '../intakeProgress/intakeProgress';
import { fileTusArea } from '../resumableUpload/fileTusArea';
import { OpenUploads } from '../resumableUpload/openUploads';
import { PostgresLocker } from '../resumableUpload/postgresLocker';
import { s3TusArea } from '../resumableUpload/s3TusArea';
import type { TusArea } from '../resumableUpload/tusArea';
import { ContentClaims } from '../contentDedupe/contentClaims';

const SECRET = 'command-api-test-secret-0123456789abcdef';

export interface TestCommandApiOptions {
  readonly maxUploadBytes?: number;
  readonly limits?: Partial<CommandApiLimits>;
  readonly staging?: FileStagingStoreOptions;
  readonly verifier?: TokenVerifier;
  readonly logger?: Logger;
  /** How long unfinished tus uploads live (24 h by default). */
  readonly tusExpirationMs?: number;
  /** Unfinished tus uploads one user may have open (20 by default). */
  readonly maxOpenUploadsPerUser?: number;
  /** `s3`: staging on a bucket of the test's own on the test s3rver instead of a folder. */
  readonly stagingKind?: 'file' | 's3';
  /** How often intake progress is written per video (ms). */
  readonly progressIntervalMs?: number;
  /**
   * Another test command API's database and staging folder, shared as a second process behind the
   * same load balancer would share them (file staging only). They stay when this one is disposed.
   */
  readonly shareWith?: { readonly databaseUrl: string; readonly stagingDir: string };
}

/** The test's own migrated event store, or one on a database another test command API made. */
async function openTestEvents(sharedUrl: string | undefined) {
  if (!sharedUrl) return createTestEventStore();
  const pool = createPool(sharedUrl, { max: 12 });
  const store = new PostgresEventStore(pool);
  return {
    url: sharedUrl,
    pool,
    store,
    async dispose() {
      await store.close();
      await pool.end();
    },
  };
}

/** The command API on a real event store and a staging folder of its own, listening on loopback. */
export async function startTestCommandApi(options: TestCommandApiOptions = {}) {
  const { shareWith } = options;
  if (shareWith && options.stagingKind === 's3') throw new Error('shareWith shares a staging folder: file staging only');
  const events = await openTestEvents(shareWith?.databaseUrl);
  const stagingDir = shareWith?.stagingDir ?? (await mkdtemp(path.join(os.tmpdir(), 'reelay-staging-')));
  const fileStaging = new FileStagingStore(stagingDir, options.staging);
  const tusExpirationMs = options.tusExpirationMs ?? 24 * 3_600_000;
  const s3Staging = options.stagingKind === 's3' ? new S3StagingStore(createTestS3Client(), { bucket: uniqueBucketName('reelay-staging'), prefix: 'staging' }) : undefined;
  await s3Staging?.ensureBucket();
  const staging: StagingStore = s3Staging ?? fileStaging;
  const area: TusArea = s3Staging ? s3TusArea(s3Staging, tusExpirationMs, 5 * 1024 * 1024) : fileTusArea(fileStaging, tusExpirationMs);
  const logger = options.logger ?? pino({ level: 'silent' });
  const knex = createKnex(events.url, { max: 4 });
  await migrateIntakeProgress(knex);
  await OpenUploads.migrate(knex);
  const openUploads = new OpenUploads(knex, { maxPerUser: options.maxOpenUploadsPerUser ?? 20, expirationMs: tusExpirationMs });
  const personalData = PersonalDataVault.fromConfig(knex, {});
  await personalData.migrate();
  const progress = new IntakeProgress(knex, logger, options.progressIntervalMs ?? 1000);
  const claims = new ContentClaims(knex);
  await claims.migrate();
  const locker = new PostgresLocker({ connectionString: events.url, applicationName: 'reelay-test-tus-locks', logger });
  await locker.start();
  const { app, tusStore } = buildCommandApi({
    logger,
    metrics: createMetricsRegistry('command-api-test'),
    readiness: { 'event-store': () => events.pool.query('select 1'), 'tus-locks': () => locker.ready() },
    verifier: options.verifier ?? createTokenVerifier({ AUTH_JWT_SECRET: SECRET }),
    store: events.store,
    staging,
    limits: {
      maxUploadBytes: options.maxUploadBytes ?? 10 * 1024 * 1024,
      maxConcurrentUploadsPerUser: 3,
      uploadIdleTimeoutMs: 60_000,
      rateLimit: { max: 1000, windowMs: 60_000 },
      ...options.limits,
    },
    queryApiUrl: 'http://query.test',
    personalData,
    tus: { area, expirationMs: tusExpirationMs, locker, openUploads },
    progress,
    claims,
  });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    url,
    app,
    databaseUrl: events.url,
    store: events.store,
    pool: events.pool,
    knex,
    staging,
    fileStaging,
    stagingDir,
    /** Opens the sealed title and file name of recorded events, as the projector does. */
    personalData,
    tusStore: tusStore!,
    openUploads,
    area,
    tokenFor: (userId: string) => signToken(userId, { secret: SECRET }),
    /**
     * The type of every event stored, committed or not yet visible to a global reader: straight
     * from the table, so that "nothing was recorded" cannot pass on an event held back.
     */
    async allEvents(): Promise<string[]> {
      return (await events.pool.query<{ type: string }>('select type from event_log order by position')).rows.map((row) => row.type);
    },
    /** Every file in the staging folder, temporary ones included (which `staging.list()` hides). */
    async filesInStaging(): Promise<string[]> {
      // .tus holds the tus uploads' area: see everythingStaged().
      return (await readdir(fileStaging.directory).catch(() => [])).filter((name) => name !== '.tus');
    },
    /** Everything staging holds, complete or not, tus records included: names (file) or keys under the prefix (S3). */
    async everythingStaged(): Promise<string[]> {
      if (s3Staging) return (await s3Staging.listObjects()).map((object) => object.key.slice(s3Staging.keyFor('').length)).sort();
      const tus = (await readdir(`${fileStaging.directory}/.tus`).catch(() => [])).map((name) => `.tus/${name}`);
      return [...(await readdir(fileStaging.directory).catch(() => [])).filter((name) => name !== '.tus'), ...tus].sort();
    },
    async dispose() {
      await app.close();
      await locker.stop();
      await knex.destroy();
      await events.dispose();
      if (s3Staging) {
        await emptyAndDeleteBucket(s3Staging.client, s3Staging.bucket);
        s3Staging.client.destroy();
      }
      if (!shareWith) await rm(stagingDir, { recursive: true, force: true });
    },
  };
}
