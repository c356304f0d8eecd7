import pino, { type DestinationStream, type Logger } from 'pino';
import { scrubSecrets, secretValuesOf } from './scrubSecrets';

export type { Logger } from 'pino';

/** What a redacted value is replaced with, by path or by the scrubber. */
export const REDACTED = '[redacted]';

/** Keys that hold credentials wherever they appear, at the top of a log object or one level down. */
const SECRET_KEYS = [
  'authorization',
  'Authorization',
  'cookie',
  'token',
  'accessToken',
  'idToken',
  'refreshToken',
  'password',
  'secret',
  'apiKey',
  'restApiKey',
  'accessKeyId',
  'secretAccessKey',
  'sessionToken',
  'credentials',
  'AUTH_JWT_SECRET',
  'S3_ACCESS_KEY_ID',
  'S3_SECRET_ACCESS_KEY',
  'ONESIGNAL_API_KEY',
  'PERSONAL_DATA_KEK',
];

/**
 * Paths that may carry credentials; pino replaces their values before a line is written. The
 * request and response headers are named explicitly because fastify and the SDKs nest them.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.Authorization',
  '*.headers.authorization',
  '*.headers.Authorization',
  ...SECRET_KEYS,
  ...SECRET_KEYS.map((key) => `*.${key}`),
];

export interface LoggerOptions {
  /** Where lines go; stdout by default. Tests pass a stream they can read back. */
  readonly destination?: DestinationStream;
  /**
   * Values scrubbed from every line wherever they appear (in messages, error texts, URLs): by
   * default the secret variables of the environment the service runs in.
   */
  readonly secrets?: readonly string[];
}

/**
 * JSON lines, one logger per service, with the service's name on every line. Secrets are kept out
 * twice: by path (pino redaction of headers, config and SDK credential fields) and by value
 * (a last pass over each line for bearer tokens, JWTs, URL passwords, token query parameters and
 * the configured secret values), because an error message or a URL has no path to redact.
 */
export function createLogger(service: string, level: string = process.env.LOG_LEVEL ?? 'info', options: LoggerOptions = {}): Logger {
  const secrets = options.secrets ?? secretValuesOf(process.env);
  const settings = {
    name: service,
    level,
    redact: { paths: REDACTED_PATHS, censor: REDACTED },
    base: { service, pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    hooks: { streamWrite: (line: string) => scrubSecrets(line, secrets) },
  };
  // pino's own default destination (synchronous stdout) unless told otherwise: nothing is lost
  // when a service exits right after its last line.
  return options.destination ? pino(settings, options.destination) : pino(settings);
}
