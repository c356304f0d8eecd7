import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createLogger } from '@reelay/platform';
import { startEmbeddedS3 } from '@reelay/testing/embeddedS3';
import { runSoak } from './chaos/soak';
import { runClusterSoak } from './cluster/clusterSoak';

/**
 * `npm run soak`: hundreds of small uploads from many users while services are killed and
 * Postgres and NATS restarted (private instances: the shared ones are never touched). Sizes and
 * counts come from the environment; prints the figures and exits 1 if anything was lost,
 * duplicated or drifted.
 */
const number = (name: string, fallback: number) => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number`);
  return value;
};

/**
 * `npm run soak -- --cluster`: the same on the cluster of `npm run cluster` (three NATS nodes,
 * Postgres with a replica, HAProxy, several copies of each service), with the cluster's faults
 * (NATS nodes killed and frozen, Postgres failed over, the balancer killed, APIs killed under
 * tus uploads) until at least SOAK_MIN_FAULTS of them; also prints the failover times.
 */
async function mainCluster(s3Endpoint: string): Promise<boolean> {
  const directory = await mkdtemp(path.join(os.tmpdir(), 'reelay-cluster-soak-'));
  try {
    const options = {
      directory,
      uploads: number('SOAK_UPLOADS', 200),
      users: number('SOAK_USERS', 40),
      concurrency: number('SOAK_CONCURRENCY', 8),
      minBytes: number('SOAK_MIN_KIB', 32) * 1024,
      maxBytes: number('SOAK_MAX_KIB', 2048) * 1024,
      tusShare: 0.5,
      tusChunkBytes: 256 * 1024,
      faultEveryMs: number('SOAK_FAULT_EVERY_MS', 2000),
      durationMs: number('SOAK_DURATION_S', 240) * 1000,
      minFaults: number('SOAK_MIN_FAULTS', 50),
      settleTimeoutMs: number('SOAK_SETTLE_TIMEOUT_S', 300) * 1000,
      s3Endpoint,
    };
    process.stdout.write(`soak --cluster: ${JSON.stringify({ ...options, s3Endpoint: undefined })}\n`);
    const started = Date.now();
    const { outcome, ...figures } = await runClusterSoak({ ...options, log: (line) => process.stdout.write(`[${((Date.now() - started) / 1000).toFixed(1)} s] ${line}\n`) });
    process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
    const clean = figures.phonesGaveUp + figures.lost + figures.duplicateCompletions + figures.duplicatePushes + figures.missingPushes + figures.checksumMismatches + figures.readModelDrift + figures.queryApiStale + figures.verifyReadModel.differences === 0;
    if (!clean) process.stdout.write(`NOT CLEAN: ${JSON.stringify(outcome)}\n`);
    return clean;
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  if (process.argv.includes('--cluster')) {
    const s3Directory = await mkdtemp(path.join(os.tmpdir(), 'reelay-soak-s3-'));
    const s3 = await startEmbeddedS3({ directory: s3Directory, logger: createLogger('soak-s3rver', 'warn') });
    // The outcome's checks read the bucket with the test S3's settings, as under jest.
    process.env.TEST_S3_ENDPOINT ??= s3.endpoint;
    try {
      process.exitCode = (await mainCluster(s3.endpoint)) ? 0 : 1;
    } finally {
      await s3.stop();
      await rm(s3Directory, { recursive: true, force: true });
    }
    return;
  }
  const options = {
    uploads: number('SOAK_UPLOADS', 300),
    users: number('SOAK_USERS', 40),
    concurrency: number('SOAK_CONCURRENCY', 8),
    minBytes: number('SOAK_MIN_KIB', 32) * 1024,
    maxBytes: number('SOAK_MAX_KIB', 2048) * 1024,
    faultEveryMs: number('SOAK_FAULT_EVERY_MS', 2000),
    durationMs: number('SOAK_DURATION_S', 120) * 1000,
    settleTimeoutMs: number('SOAK_SETTLE_TIMEOUT_S', 300) * 1000,
  };
  const s3Directory = await mkdtemp(path.join(os.tmpdir(), 'reelay-soak-s3-'));
  const s3 = await startEmbeddedS3({ directory: s3Directory, logger: createLogger('soak-s3rver', 'warn') });
  // The outcome's checks read the bucket with the test S3's settings, as under jest.
  process.env.TEST_S3_ENDPOINT ??= s3.endpoint;
  try {
    process.stdout.write(`soak: ${JSON.stringify(options)}\n`);
    const started = Date.now();
    const report = await runSoak({ ...options, s3Endpoint: s3.endpoint, log: (line) => process.stdout.write(`[${((Date.now() - started) / 1000).toFixed(1)} s] ${line}\n`) });
    const { outcome, ...figures } = report;
    process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
    const clean = figures.lost + figures.duplicateCompletions + figures.duplicatePushes + figures.missingPushes + figures.checksumMismatches + figures.readModelDrift + figures.queryApiStale + figures.verifyReadModel.differences === 0;
    if (!clean) process.stdout.write(`NOT CLEAN: ${JSON.stringify(outcome)}\n`);
    process.exitCode = clean ? 0 : 1;
  } finally {
    await s3.stop();
    await rm(s3Directory, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`soak failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
