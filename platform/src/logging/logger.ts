import pino, { type Logger } from 'pino';

export type { Logger } from 'pino';

/** Paths that may carry credentials; pino replaces their values before a line is written. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'authorization',
  'token',
  'config.AUTH_JWT_SECRET',
  'config.S3_SECRET_ACCESS_KEY',
  'config.S3_ACCESS_KEY_ID',
  'config.ONESIGNAL_API_KEY',
  '*.secretAccessKey',
  '*.restApiKey',
];

/** JSON lines on stdout, one logger per service, with the service's name on every line. */
export function createLogger(service: string, level: string = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({
    name: service,
    level,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    base: { service, pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
  });
}
