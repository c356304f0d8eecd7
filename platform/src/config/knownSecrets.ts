import { createHash } from 'node:crypto';

/**
 * Used only when neither AUTH_JWT_SECRET nor AUTH_JWKS_URL is set, in development, so that
 * `npm start` works on a fresh machine; every service says so at start, and production refuses it.
 */
export const DEVELOPMENT_SECRET = 'reelay-development-secret-do-not-use-in-production';

/**
 * Not a secret: the key-encryption key `npm start` and the tests use when `PERSONAL_DATA_KEK` is
 * unset, like the development token secret. Production refuses it and sets its own.
 */
export const DEVELOPMENT_KEK = createHash('sha256').update('reelay development key-encryption key; do not use in production').digest();

/**
 * Every secret-shaped string published in this repository: development defaults, the examples
 * `deploy/` once shipped, and the fixed secrets of tests, benchmarks and the chaos rig. Anyone can
 * read them, so in production a service refuses any of them as AUTH_JWT_SECRET, PERSONAL_DATA_KEK,
 * S3_SECRET_ACCESS_KEY, ONESIGNAL_API_KEY or a database password. `knownSecrets.unit.test.ts`
 * scans the repository's files and fails on a secret-shaped literal missing here: a new example
 * secret has to be added, and so can never work in production.
 */
export const KNOWN_SECRETS: readonly string[] = [
  DEVELOPMENT_SECRET,
  DEVELOPMENT_KEK.toString('base64'),
  DEVELOPMENT_KEK.toString('base64url'),
  // deploy/compose.yaml before it required its secrets
  'change-me-to-a-long-random-secret-of-32-chars',
  'reelay-secret',
  'reelay',
  // s3rver's own credentials (the embedded S3 of `npm start` and of the tests)
  'S3RVER',
  // tests, benchmarks, chaos runs
  'bench-secret-that-is-long-enough-for-hs256-0123456789',
  'bench',
  'client-e2e-secret-long-enough-for-hs256-0123456789',
  'client-upload-e2e-secret-long-enough-for-hs256-0123',
  'command-api-test-secret-0123456789abcdef',
  'demo-int-secret-long-enough-for-hs256-0123456789',
  'test-rest-api-key',
  'rest-key-1',
  'tokens-test-secret-0123456789abcdefghij',
  'tiny-secret',
  'changeit',
  'http-app-test-secret-0123456789abcdef',
  'linger-test-secret-0123456789abcdefgh',
  'hunter2',
  'cfg-secret-1',
  'cfg-secret-2',
  'cfg-secret-3',
  'cfg-secret-4',
  'sdk-2',
  'sdk-3',
  'a-long-enough-secret',
  'short',
  'db-password-9',
  'password',
  'chaos-secret-that-is-long-enough-for-hs256-0123456789',
  'chaos-key',
  'e2e-forget-secret-long-enough-for-hs256-0123456789',
  'e2e-secret-that-is-long-enough-for-hs256-0123456789',
  'log-test-jwt-secret-7f3a9c1e5b2d8f4a6c0e',
  'os_v2_app_logtestkey9d8c7b6a5f4e3d2c1b0a',
  'db-password-5e1f9a7c3b',
  'security-suite-secret-0123456789abcdefghij',
  'test-key',
  'linger-test-secret-0123456789abcdefgh',
  'pw-1234',
  'client-dedupe-e2e-secret-long-enough-for-hs256-0123',
  'client-dedupe-int-secret-long-enough-for-hs256-0123',
  'cluster-key',
  // The quiet-endpoint S3 client test's keys (platform/src/objectStorage/s3Client.int.test.ts).
  'quiet',
];

const known = new Set(KNOWN_SECRETS);

/** Whether `value` is published in this repository (see KNOWN_SECRETS). */
export function isKnownSecret(value: string): boolean {
  return known.has(value);
}
