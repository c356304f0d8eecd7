import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { createLogger } from '../logging/logger';
import { startEmbeddedS3, type EmbeddedS3 } from '../objectStorage/embeddedS3';

/** What globalTeardown needs; kept on globalThis, which jest shares between setup and teardown. */
export interface TestServices {
  readonly s3: EmbeddedS3;
  readonly s3Directory: string;
}

export const TEST_SERVICES_KEY = '__reelayTestServices';

const POSTGRES_URL = new URL('postgres', process.env.TEST_DATABASE_BASE_URL ?? 'postgres://postgres@127.0.0.1:5432/').toString();
const NATS_URL = process.env.TEST_NATS_URL ?? 'nats://127.0.0.1:4222';
const CHECK_TIMEOUT_MS = 3_000;

/**
 * Runs once before the integration tests: checks that Postgres and NATS (with JetStream) answer,
 * so a missing service fails in seconds with one clear line instead of as 60-second test
 * timeouts, and starts ONE s3rver child for the whole run. Its endpoint goes to
 * `TEST_S3_ENDPOINT`, which the workers inherit. Each jest project that lists this file runs
 * it; the second run finds the server already started.
 */
export default async function globalSetup(): Promise<void> {
  const shared = globalThis as Record<string, unknown>;
  if (shared[TEST_SERVICES_KEY]) return;
  await Promise.all([checkPostgres(), checkNats()]);
  const s3Directory = await mkdtemp(path.join(os.tmpdir(), 'reelay-test-s3-'));
  // A minute, not 15 s: on two cores shared by several test runs, s3rver's start took over 15 s.
  const s3 = await startEmbeddedS3({ directory: s3Directory, logger: createLogger('test-s3rver'), startTimeoutMs: 60_000 }).catch(async (error: unknown) => {
    await rm(s3Directory, { recursive: true, force: true });
    throw error;
  });
  process.env.TEST_S3_ENDPOINT = s3.endpoint;
  process.env.TEST_NATS_URL = NATS_URL;
  shared[TEST_SERVICES_KEY] = { s3, s3Directory } satisfies TestServices;
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
