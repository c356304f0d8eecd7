import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { newEvent, UserId, VideoId, videoStreamName } from '@reelay/contracts';
import { OpenUploads, PostgresLocker, buildCommandApp, fileTusArea, type CommandApiLimits } from '@reelay/command-api';
import {
  migrateIntakeProgress,
  FileStagingStore,
  PROJECT_ROOT,
  PersonalDataVault,
  createKnex,
  createLogger,
  createMetricsRegistry,
  loadConfig,
} from '@reelay/platform';
import { createTokenVerifier, signToken } from '@reelay/platform/auth';
import { createSigningKey, createTestEventStore, diskFullAfter, eventually, startJwksServer } from '@reelay/testing';
import { VideoInfoProjection, migrateReadModel } from '@reelay/projector';
import { buildQueryApp } from '@reelay/query-api';

export const SECRET = 'security-suite-secret-0123456789abcdefghij';
export const ISSUER = 'https://id.reelay.test/';
export const AUDIENCE = 'reelay-api';
export const SAMPLE_VIDEO = path.join(PROJECT_ROOT, 'system/fixtures/sample.mp4');

export interface SecurityHarnessOptions {
  readonly limits?: Partial<CommandApiLimits>;
  /** Requests per user per minute, on each API. */
  readonly rateLimitMax?: number;
  /** Mount tus at `/v1/uploads` (file staging, locks in the harness's Postgres). */
  readonly withTus?: boolean;
}

/**
 * Both APIs as they run in production, in this process: the command API and the query API on
 * one real event store, the real projector between them, HS256 and an identity provider's key
 * set (a JWKS server on loopback) both accepted, issuer and audience checked, a staging folder
 * of their own whose disk can be made "full", and every log line of both captured.
 */
export async function startSecurityHarness(options: SecurityHarnessOptions = {}) {
  const events = await createTestEventStore();
  const knex = createKnex(events.url, { max: 6 });
  await migrateReadModel(knex);
  const personalData = PersonalDataVault.fromConfig(knex, {});
  await personalData.migrate();
  // The query API reads bytes still arriving from it (two-leg progress); the command API writes it.
  await migrateIntakeProgress(knex);
  let logs = '';
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      logs += chunk.toString();
      callback();
    },
  });
  // No secret values to scrub: whatever stays out of these logs stays out by redaction alone.
  const logger = createLogger('security-suite', 'info', { destination, secrets: [] });
  const projection = new VideoInfoProjection({ knex, store: events.store, logger, retryDelayMs: 50, personalData });
  projection.start();

  const idpKey = await createSigningKey('RS256', 'idp-key-1');
  const jwks = await startJwksServer([idpKey]);
  const auth = { AUTH_JWT_SECRET: SECRET, AUTH_JWKS_URL: jwks.url, AUTH_ISSUER: ISSUER, AUTH_AUDIENCE: AUDIENCE };
  const verifier = createTokenVerifier(auth, { jwks: { timeoutMs: 2_000 } });
  const rateLimitMax = options.rateLimitMax ?? 1000;

  const stagingDir = await mkdtemp(path.join(os.tmpdir(), 'reelay-security-'));
  let diskFull = false;
  const fillsUp = diskFullAfter(256 * 1024);
  const staging = new FileStagingStore(stagingDir, {
    openPartial: (file) => (diskFull ? fillsUp(file) : createWriteStream(file, { flags: 'wx' })),
  });

  const locker = options.withTus ? new PostgresLocker({ connectionString: events.url, applicationName: 'reelay-security-tus-locks', logger }) : undefined;
  await locker?.start();
  if (locker) await OpenUploads.migrate(knex);
  const command = buildCommandApp({
    logger,
    metrics: createMetricsRegistry('command-api'),
    readiness: {},
    verifier,
    store: events.store,
    staging,
    limits: {
      maxUploadBytes: 4 * 1024 * 1024,
      maxConcurrentUploadsPerUser: 2,
      uploadIdleTimeoutMs: 500,
      rateLimit: { max: rateLimitMax, windowMs: 60_000 },
      ...options.limits,
    },
    queryApiUrl: 'http://query.test',
    personalData,
    tus: locker && { area: fileTusArea(staging, 3_600_000), expirationMs: 3_600_000, locker, openUploads: new OpenUploads(knex, { maxPerUser: 1_000, expirationMs: 3_600_000 }) },
  });
  const query = buildQueryApp({
    config: loadConfig({ DATABASE_URL: events.url, ...auth, RATE_LIMIT_MAX: String(rateLimitMax) }),
    logger,
    knex,
    verifier,
  });
  const commandUrl = await command.listen({ host: '127.0.0.1', port: 0 });
  const queryUrl = await query.listen({ host: '127.0.0.1', port: 0 });
  const video = await readFile(SAMPLE_VIDEO);

  const tokenFor = (userId: string) => signToken(userId, { secret: SECRET, issuer: ISSUER, audience: AUDIENCE });

  return {
    commandUrl,
    queryUrl,
    /** The two apps, for the routes they declare. */
    commandApp: command,
    queryApp: query,
    knex,
    video,
    idpKey,
    jwks,
    store: events.store,
    /** The event store's pool, for reading the log whole. */
    pool: events.pool,
    tokenFor,
    bearer: async (userId: string) => ({ authorization: `Bearer ${await tokenFor(userId)}` }),
    /** From now on, staging writes fail with ENOSPC after 256 KiB (or work again). */
    setDiskFull(on: boolean) {
      diskFull = on;
    },
    /** Uploads the sample video as `userId` through the command API; the new video's id. */
    async upload(userId: string, headers: Record<string, string> = {}): Promise<VideoId> {
      const response = await fetch(`${commandUrl}/v1/videos?title=Holiday&fileName=holiday.mp4`, {
        method: 'POST',
        headers: { ...(await this.bearer(userId)), 'content-type': 'video/mp4', ...headers },
        body: video,
      });
      if (response.status !== 202) throw new Error(`upload as ${userId} answered ${response.status}: ${await response.text()}`);
      return ((await response.json()) as { videoId: VideoId }).videoId;
    },
    /** Records a video of `userId` straight in the log (no staged file), and waits for the read model. */
    async recordVideo(userId: string): Promise<VideoId> {
      const videoId = VideoId.parse(randomUUID());
      const requested = newEvent(
        {
          type: 'UploadRequested',
          data: {
            videoId,
            userId: UserId.parse(userId),
            metaInfo: { title: 'Seeded', fileName: 'seeded.mp4', contentType: 'video/mp4', sizeBytes: 1, sha256: 'a'.repeat(64) },
            stagingRef: `file:///nowhere/${videoId}`,
          },
        },
        { correlationId: 'seed', causationId: 'seed', userId },
      );
      await events.store.appendToStream(videoStreamName(videoId), [requested], { expectedRevision: 'no_stream' });
      await this.projected(videoId);
      return videoId;
    },
    /** Waits until the projector has put the video in the read model. */
    async projected(videoId: string): Promise<void> {
      await eventually(async () => {
        if (!(await knex('video_info').where({ video_id: videoId }).first('video_id'))) throw new Error(`video ${videoId} not projected yet`);
      });
    },
    /** Every event in the log, committed or not yet visible to readers. */
    async eventCount(): Promise<number> {
      return Number((await events.pool.query<{ count: string }>('select count(*) from event_log')).rows[0]?.count);
    },
    /** Every file in staging, the temporary files of writes in progress included. */
    stagingFiles: (): Promise<string[]> => readdir(stagingDir).catch(() => []),
    logs: () => logs,
    async dispose(): Promise<void> {
      await Promise.all([command.close(), query.close()]);
      await locker?.stop();
      await projection.stop();
      await knex.destroy();
      await jwks.close();
      await events.dispose();
      await rm(stagingDir, { recursive: true, force: true });
    },
  };
}

export type SecurityHarness = Awaited<ReturnType<typeof startSecurityHarness>>;
