import path from 'node:path';
import { z } from 'zod';
import { runModeOf } from './runMode';

/** The project root: the data folder and the embedded S3 live below it by default. */
// Every compiled module, and every service's bundle (`<service>/dist/bundle/main.js`), is three
// levels below the root, as this file is.
export const PROJECT_ROOT = path.resolve(__dirname, '../../..');

const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);
const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);
const optionalText = z.string().min(1).optional();
const flag = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');
const postgresUrl = z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL');
/** 32 random bytes in base64 (or base64url), as `openssl rand -base64 32` prints them. */
const aes256Key = z.string().refine((value) => Buffer.from(value, 'base64').length === 32 && /^[A-Za-z0-9+/_-]+={0,2}$/.test(value), 'must be 32 bytes in base64 (openssl rand -base64 32)');
/** Key sets are fetched over HTTPS; plain HTTP only on loopback (a local identity provider, tests). */
const jwksUrl = z.url().refine((value) => {
  const url = new URL(value);
  return url.protocol === 'https:' || (url.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname));
}, 'must be an https:// URL (http:// only on loopback)');

/** The servers of a NATS_URL: one URL, or several separated by commas. */
export function natsServers(url: string): string[] {
  return url.split(',').map((server) => server.trim()).filter((server) => server !== '');
}

/**
 * Every variable of API.md (and the few operational ones it leaves to us), parsed once at start.
 * Unknown variables are ignored; a bad value stops the service with one line naming it.
 */
const ConfigSchema = z
  .object({
    DATA_DIR: z.string().min(1).default(path.join(PROJECT_ROOT, '.data')),
    DATABASE_URL: postgresUrl.default('postgres://postgres@127.0.0.1:5432/reelay'),
    EVENT_STORE_URL: z.string().regex(/^(postgres(ql)?|(esdb|kurrentdb)(\+discover)?):\/\//, 'must be a postgres:// or esdb:// URL').optional(),
    /** One server's URL, or every cluster member's, comma-separated (a client fails over between them). */
    NATS_URL: z
      .string()
      .refine((value) => natsServers(value).every((server) => /^(nats|tls|ws|wss):\/\/[^\s,]+$/.test(server)), 'must be nats:// URLs, comma-separated')
      .default('nats://127.0.0.1:4222'),
    /** Copies JetStream keeps of the jobs stream: 1 on one server, 3 (or 5) on a cluster of that many or more. */
    NATS_JOBS_REPLICAS: z.coerce.number().int().min(1).max(5).default(1),
    /** JetStream stream holding the job queue; tests give each run its own. */
    JOBS_STREAM: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, _ and - only').default('REELAY_JOBS'),
    S3_ENDPOINT: z.url().optional(),
    S3_REGION: z.string().min(1).default('us-east-1'),
    S3_BUCKET: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be a valid bucket name').default('reelay-videos'),
    S3_ACCESS_KEY_ID: optionalText,
    S3_SECRET_ACCESS_KEY: optionalText,
    S3_FORCE_PATH_STYLE: flag.optional(),
    STAGING: z.string().regex(/^(file|s3):\/\//, 'must be file://<dir> or s3://<bucket>/<prefix>').optional(),
    ONESIGNAL_APP_ID: optionalText,
    ONESIGNAL_API_KEY: optionalText,
    ONESIGNAL_API_URL: z.url().default('https://api.onesignal.com'),
    /** `production` makes this a production run (see runMode.ts); anything else: HOST decides. */
    NODE_ENV: optionalText,
    AUTH_JWT_SECRET: z.string().refine((value) => Buffer.byteLength(value, 'utf8') >= 32, 'must be at least 32 bytes').optional(),
    AUTH_JWKS_URL: jwksUrl.optional(),
    AUTH_ISSUER: optionalText,
    AUTH_AUDIENCE: optionalText,
    MAX_UPLOAD_BYTES: positiveInt(10 * 1024 ** 3),
    HOST: z.string().min(1).default('127.0.0.1'),
    COMMAND_API_PORT: port(3000),
    QUERY_API_PORT: port(3001),
    UPLOADER_OPS_PORT: port(3002),
    PROJECTOR_OPS_PORT: port(3003),
    NOTIFIER_OPS_PORT: port(3004),
    /**
     * `on`: the demo page signs a token for any name (`POST /demo/token`). Development only;
     * `npm start` turns it on for its demo page. Otherwise that route answers 404.
     */
    DEMO_TOKENS: z.enum(['on', 'off']).default('off'),
    /** The demo page of `npm start` (`/demo`), which also proxies both APIs under one origin. */
    DEMO_PORT: port(3005),
    /** Base of the `Location` header; the query API's address as the app reaches it. */
    QUERY_API_PUBLIC_URL: z.url().optional(),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    UPLOAD_MAX_ATTEMPTS: positiveInt(5),
    UPLOAD_PART_SIZE_BYTES: z.coerce.number().int().min(5 * 1024 ** 2).default(8 * 1024 ** 2),
    UPLOAD_QUEUE_SIZE: positiveInt(4),
    /** Copy from S3 staging inside the store (UploadPartCopy) when it is the videos' store; 'false' always streams. */
    UPLOAD_SERVER_SIDE_COPY: flag.default(true),
    /** A staged object of at most this size is copied with one CopyObject (S3's limit: 5 GiB); larger ones, or 0, in parts. */
    UPLOAD_WHOLE_COPY_MAX_BYTES: z.coerce.number().int().min(0).max(5 * 1024 ** 3).default(5 * 1024 ** 3),
    UPLOADER_CONCURRENCY: positiveInt(2),
    PROGRESS_INTERVAL_MS: z.coerce.number().int().nonnegative().default(1000),
    /** Requests one user may make to one API process per RATE_LIMIT_WINDOW_MS; more get 429. */
    RATE_LIMIT_MAX: positiveInt(600),
    RATE_LIMIT_WINDOW_MS: positiveInt(60_000),
    /** Uploads one user may have streaming into one command API process at the same time. */
    MAX_CONCURRENT_UPLOADS_PER_USER: positiveInt(3),
    /** An upload body that sends nothing for this long is cut off (408) and its partial file removed. */
    UPLOAD_IDLE_TIMEOUT_MS: positiveInt(60_000),
    /** How often the command API sweeps staging for files no event refers to; 0 turns it off. */
    STAGING_SWEEP_INTERVAL_MS: z.coerce.number().int().nonnegative().default(10 * 60_000),
    /** Staged and partial files younger than this are never swept: a request may still own them. */
    STAGING_SWEEP_GRACE_MS: positiveInt(60 * 60_000),
    /**
     * The key-encryption key that wraps every user's personal-data key (see platform's
     * `personalData`); unset: a development key, which the services say at start.
     */
    PERSONAL_DATA_KEK: aes256Key.optional(),
    /** A job delivery not acked, nak-ed or kept alive (`working()`) for this long is redelivered. */
    JOBS_ACK_WAIT_MS: positiveInt(30_000),
    /** An upload attempt that stores no part for this long is aborted and handed back (watchdog). */
    UPLOAD_STALL_TIMEOUT_MS: positiveInt(120_000),
    /** A LOADING video no uploader has touched for this long (its job is gone) is failed, retryable. */
    UPLOAD_ABANDONED_AFTER_MS: positiveInt(10 * 60_000),
    /** How often each uploader looks for abandoned uploads; 0 turns the sweep off. */
    UPLOAD_SWEEP_INTERVAL_MS: z.coerce.number().int().nonnegative().default(60_000),
    /** On SIGTERM, how long in-flight uploads may run on before they are handed back. */
    UPLOADER_SHUTDOWN_GRACE_MS: z.coerce.number().int().nonnegative().default(10_000),
    /** After SIGTERM a service that has not drained within this long exits anyway (code 1). */
    SHUTDOWN_DEADLINE_MS: positiveInt(25_000),
    /** How long an unfinished tus upload (`/v1/uploads`) may be resumed after its creation. */
    TUS_UPLOAD_EXPIRATION_MS: positiveInt(24 * 60 * 60_000),
    /**
     * Unfinished tus uploads one user may have open at once, over every command API process; one
     * more is refused (429) until one finishes, is terminated or expires.
     */
    MAX_OPEN_UPLOADS_PER_USER: positiveInt(20),
    /** Video rows the query API keeps in memory between polls (about 1 KiB each); 0 turns it off. */
    QUERY_CACHE_MAX_ENTRIES: z.coerce.number().int().nonnegative().default(10_000),
    /** The longest a cached row is served without a read, should a change notification be lost. */
    QUERY_CACHE_TTL_MS: positiveInt(5_000),
    /** How often the projector's writer seals the event log (`reelay verify log`); 0 turns it off. */
    LOG_SEAL_INTERVAL_MS: z.coerce.number().int().nonnegative().default(60_000),
  })
  // A partial file is touched by every chunk written; one older than the idle timeout has no
  // live writer. A grace shorter than that could sweep a slow but healthy upload.
  .refine((env) => env.STAGING_SWEEP_GRACE_MS > env.UPLOAD_IDLE_TIMEOUT_MS, {
    path: ['STAGING_SWEEP_GRACE_MS'],
    message: 'must be longer than UPLOAD_IDLE_TIMEOUT_MS',
  })
  // A job waiting for its redelivery (ack_wait) or its backoff (at most 30 s) is not abandoned.
  .refine((env) => env.UPLOAD_ABANDONED_AFTER_MS > env.JOBS_ACK_WAIT_MS + 30_000, {
    path: ['UPLOAD_ABANDONED_AFTER_MS'],
    message: 'must be longer than JOBS_ACK_WAIT_MS + 30000 (the longest retry backoff)',
  })
  // In-flight uploads are handed back after the grace; the process must still be alive to do it.
  .refine((env) => env.UPLOADER_SHUTDOWN_GRACE_MS < env.SHUTDOWN_DEADLINE_MS, {
    path: ['UPLOADER_SHUTDOWN_GRACE_MS'],
    message: 'must be shorter than SHUTDOWN_DEADLINE_MS',
  })
  .transform((env) => ({
    ...env,
    EVENT_STORE_URL: env.EVENT_STORE_URL ?? env.DATABASE_URL,
    STAGING: env.STAGING ?? `file://${path.join(env.DATA_DIR, 'staging')}`,
    S3_FORCE_PATH_STYLE: env.S3_FORCE_PATH_STYLE ?? true,
    /** Production or development, and why (runMode.ts). */
    RUN_MODE: runModeOf(env),
    QUERY_API_PUBLIC_URL: (env.QUERY_API_PUBLIC_URL ?? `http://${env.HOST}:${env.QUERY_API_PORT}`).replace(/\/$/, ''),
  }));

export type Config = z.infer<typeof ConfigSchema>;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Parses the environment; throws ConfigError whose message is one line naming the variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // Empty strings mean "unset", as in most .env tooling.
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = ConfigSchema.safeParse(present);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const variable = String(issue?.path[0] ?? 'environment');
  throw new ConfigError(`invalid configuration: ${variable} ${issue?.message ?? 'is invalid'}`);
}
