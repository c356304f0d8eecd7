import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { EMBEDDED_S3_CREDENTIALS, signToken } from '@reelay/platform';
import { startEmbeddedS3, type EmbeddedS3 } from '@reelay/testing/embeddedS3';
import { createTestDatabase, uniqueBucketName, uniqueName } from '@reelay/testing';
import { startSystem, type LaunchOptions, type RunningSystem } from '../../system/src/e2e/runningSystem';

const SECRET = 'bench-secret-that-is-long-enough-for-hs256-0123456789';

export interface BenchSystem {
  readonly system: RunningSystem;
  /** The S3 server the system writes to; the baselines use the same one. */
  readonly s3: EmbeddedS3;
  readonly bucket: string;
  readonly databaseUrl: string;
  tokenFor(userId: string): Promise<string>;
  stop(): Promise<void>;
}

/**
 * The whole system started as `npm start` starts it, on a database, stream and bucket of its own,
 * writing to an s3rver the benchmark owns, so a baseline can talk to the very same server and the
 * services' memory can be measured without the S3 server's.
 */
export async function startBenchSystem(env: NodeJS.ProcessEnv = {}, launch: LaunchOptions = {}): Promise<BenchSystem> {
  const s3Dir = await mkdtemp(path.join(os.tmpdir(), 'reelay-bench-s3-'));
  // A loaded machine can take s3rver well past its 15 s default to start.
  const s3 = await startEmbeddedS3({ directory: s3Dir, startTimeoutMs: 60_000 });
  const database = await createTestDatabase('reelay_bench');
  const bucket = uniqueBucketName('reelay-bench');
  const system = await startSystem({
    DATABASE_URL: database.url,
    JOBS_STREAM: uniqueName('BENCH'),
    S3_ENDPOINT: s3.endpoint,
    S3_BUCKET: bucket,
    S3_ACCESS_KEY_ID: EMBEDDED_S3_CREDENTIALS.accessKeyId,
    S3_SECRET_ACCESS_KEY: EMBEDDED_S3_CREDENTIALS.secretAccessKey,
    AUTH_JWT_SECRET: SECRET,
    LOG_LEVEL: 'warn',
    // A benchmark is one user hammering one video: the per-user rate limit is not what it measures.
    RATE_LIMIT_MAX: '100000000',
    MAX_CONCURRENT_UPLOADS_PER_USER: '1000',
    ...env,
  }, undefined, [], launch);
  return {
    system,
    s3,
    bucket,
    databaseUrl: database.url,
    tokenFor: (userId) => signToken(userId, { secret: SECRET }),
    async stop() {
      await system.stop();
      await s3.stop();
      await database.drop();
      await rm(s3Dir, { recursive: true, force: true });
    },
  };
}
