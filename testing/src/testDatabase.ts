import { randomBytes } from 'node:crypto';
import { dropDatabase, ensureDatabase } from '@reelay/platform';

const BASE_URL = process.env.TEST_DATABASE_BASE_URL ?? 'postgres://postgres@127.0.0.1:5432/';

/** A short random suffix for names a test owns: databases, buckets, streams, folders. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${randomBytes(5).toString('hex')}`;
}

/** A fresh database of the test's own, dropped by `drop()`; tests can run in parallel and twice. */
export async function createTestDatabase(prefix = 'reelay_test'): Promise<{ url: string; drop: () => Promise<void> }> {
  const url = new URL(uniqueName(prefix), BASE_URL).toString();
  await ensureDatabase(url);
  return { url, drop: () => dropDatabase(url) };
}
