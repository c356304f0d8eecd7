import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { createLogger } from '@reelay/platform';
import { randomBytes } from 'node:crypto';
import { startEmbeddedS3 } from './embeddedS3/embeddedS3';
import { startCephGateway } from './cephGateway';

/** What globalTeardown needs; kept on globalThis, which jest shares between setup and teardown. */
export interface TestServices {
  /** Stops the S3 globalSetup started (nothing for an S3 given by TEST_S3_ENDPOINT). */
  readonly stopS3: () => Promise<void>;
}

export const TEST_SERVICES_KEY = '__reelayTestServices';

const POSTGRES_URL = new URL('postgres', process.env.TEST_DATABASE_BASE_URL ?? 'postgres://postgres@127.0.0.1:5432/').toString();
const NATS_URL = process.env.TEST_NATS_URL ?? 'nats://127.0.0.1:4222';
const CHECK_TIMEOUT_MS = 3_000;

/**
 * Runs once before the integration tests: checks that Postgres and NATS (with JetStream) answer,
 * so a missing service fails in seconds with one clear line instead of as 60-second test
 * timeouts, and provides ONE S3 for the whole run, chosen by `TEST_S3`:
 * - unset or `s3rver`: an s3rver child (the default);
 * - `ceph`: a single-node Ceph and its S3 gateway (./cephGateway.ts), with fresh random keys;
 * - `TEST_S3_ENDPOINT` already set: that S3, with `TEST_S3_ACCESS_KEY_ID`,
 *   `TEST_S3_SECRET_ACCESS_KEY`, `TEST_S3_REGION`, `TEST_S3_FORCE_PATH_STYLE` (see docs/s3.md).
 * Its settings go to the `TEST_S3_*` variables, which the workers inherit (./s3.ts reads them).
 * Each jest project that lists this file runs it; the second run finds the S3 already there.
 */
export default async function globalSetup(): Promise<void> {
  const shared = globalThis as Record<string, unknown>;
  if (shared[TEST_SERVICES_KEY]) return;
  await Promise.all([checkPostgres(), checkNats()]);
  const stopS3 = await provideS3();
  process.env.TEST_NATS_URL = NATS_URL;
  shared[TEST_SERVICES_KEY] = { stopS3 } satisfies TestServices;
}

async function provideS3(): Promise<() => Promise<void>> {
  const env = process.env;
  if (env.TEST_S3_ENDPOINT) {
    if (!env.TEST_S3_ACCESS_KEY_ID || !env.TEST_S3_SECRET_ACCESS_KEY) {
      throw new Error('TEST_S3_ENDPOINT needs TEST_S3_ACCESS_KEY_ID and TEST_S3_SECRET_ACCESS_KEY');
    }
    env.TEST_S3_KIND ??= 'other';
    return async () => undefined;
  }
  if (env.TEST_S3 === 'ceph') {
    const gateway = await startCephGateway({ accessKeyId: `RL${randomBytes(9).toString('hex').toUpperCase()}`, secretAccessKey: randomBytes(24).toString('base64url') });
    Object.assign(env, {
      TEST_S3_KIND: 'ceph',
      TEST_S3_ENDPOINT: gateway.endpoint,
      // Not us-east-1 on purpose: every service then sends the LocationConstraint Ceph refuses (fix 2).
      TEST_S3_REGION: env.TEST_S3_REGION || 'eu-west-1',
      TEST_S3_ACCESS_KEY_ID: gateway.accessKeyId,
      TEST_S3_SECRET_ACCESS_KEY: gateway.secretAccessKey,
      TEST_S3_CEPH_STARTED_IN_MS: String(gateway.startedInMs),
    });
    process.stderr.write(`\ntest S3: Ceph gateway at ${gateway.endpoint}, up in ${gateway.startedInMs} ms\n`);
    return () => gateway.stop();
  }
  if (env.TEST_S3 && env.TEST_S3 !== 's3rver') throw new Error(`TEST_S3 must be s3rver or ceph (or set TEST_S3_ENDPOINT), got ${env.TEST_S3}`);
  const s3Directory = await mkdtemp(path.join(os.tmpdir(), 'reelay-test-s3-'));
  // A minute, not 15 s: on two cores shared by several test runs, s3rver's start took over 15 s.
  const s3 = await startEmbeddedS3({ directory: s3Directory, logger: createLogger('test-s3rver'), startTimeoutMs: 60_000 }).catch(async (error: unknown) => {
    await rm(s3Directory, { recursive: true, force: true });
    throw error;
  });
  Object.assign(env, { TEST_S3_KIND: 's3rver', TEST_S3_ENDPOINT: s3.endpoint });
  return async () => {
    await s3.stop();
    await rm(s3Directory, { recursive: true, force: true });
  };
}

async function checkPostgres(): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: CHECK_TIMEOUT_MS });
  try {
    await client.connect();
    await client.query('select 1');
  } catch (error) {
    throw new Error(`integration tests need Postgres at ${redact(POSTGRES_URL)}: ${(error as Error).message}`, { cause: error });
  } finally {
    await client.end().catch(() => {});
  }
}

/** Reads the INFO line a NATS server sends on connect; it says whether JetStream is on. */
async function checkNats(): Promise<void> {
  const { hostname, port } = new URL(NATS_URL);
  const info = await new Promise<string>((resolve, reject) => {
    const socket = net.connect({ host: hostname, port: Number(port || 4222) });
    let received = '';
    socket.setTimeout(CHECK_TIMEOUT_MS, () => socket.destroy(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)));
    socket.on('data', (chunk) => {
      received += chunk.toString('utf8');
      if (received.includes('\r\n')) {
        socket.destroy();
        resolve(received);
      }
    });
    socket.on('error', reject);
    socket.on('close', () => reject(new Error('connection closed before INFO')));
  }).catch((error: unknown) => {
    throw new Error(`integration tests need NATS at ${NATS_URL}: ${(error as Error).message}`, { cause: error });
  });
  if (!/"jetstream"\s*:\s*true/.test(info)) {
    throw new Error(`integration tests need JetStream enabled on the NATS server at ${NATS_URL} (start it with -js)`);
  }
}

function redact(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}
