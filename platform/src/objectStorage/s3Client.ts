import { S3Client } from '@aws-sdk/client-s3';
import { ConfigError, type Config } from '../config/config';
import { EMBEDDED_S3_CREDENTIALS } from './embeddedS3Credentials';

/** The part of the configuration an S3 client needs. */
export type S3ClientConfig = Pick<
  Config,
  'S3_ENDPOINT' | 'S3_REGION' | 'S3_ACCESS_KEY_ID' | 'S3_SECRET_ACCESS_KEY' | 'S3_FORCE_PATH_STYLE'
>;

/**
 * The SDK waits for ever by default: a connection S3 (or a balancer before it) accepted and then
 * went quiet on would hold a phone's PATCH, an uploader's part or a test forever. These bound
 * it; the SDK retries a timed-out request (it is transient) as it retries a reset.
 * The idle limit is long enough for a streamed read paused by its consumer's backpressure.
 */
export const S3_TIMEOUTS = { connectMs: 10_000, socketIdleMs: 120_000 } as const;

/**
 * An S3 client for AWS S3, MinIO, R2 or the embedded s3rver.
 *
 * `endpointOverride` is the embedded server's address when `S3_ENDPOINT` is unset (or a test's
 * s3rver). Credentials: the configured key pair when given; the embedded s3rver's pair when no
 * endpoint is configured (the embedded default); otherwise the SDK's default chain (IAM roles,
 * profiles), so production can run without keys in the environment.
 *
 * Checksums are only computed when an operation requires them: with the SDK's default a
 * streamed PutObject is sent chunk-encoded and s3rver stores the framing bytes in the object.
 * Real S3 is unaffected by the setting.
 */
export function createS3Client(config: S3ClientConfig, endpointOverride?: string, timeouts: { connectMs: number; socketIdleMs: number } = S3_TIMEOUTS): S3Client {
  // The SDK is pinned to a release that supports Node 20 (see the README); its warning that later
  // releases will not only fills every service's log.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const endpoint = endpointOverride ?? config.S3_ENDPOINT;
  return new S3Client({
    region: config.S3_REGION,
    forcePathStyle: config.S3_FORCE_PATH_STYLE,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    requestHandler: { connectionTimeout: timeouts.connectMs, socketTimeout: timeouts.socketIdleMs },
    ...(endpoint === undefined ? {} : { endpoint }),
    ...credentialsFor(config),
  });
}

function credentialsFor(config: S3ClientConfig): { credentials?: { accessKeyId: string; secretAccessKey: string } } {
  const { S3_ACCESS_KEY_ID: accessKeyId, S3_SECRET_ACCESS_KEY: secretAccessKey } = config;
  if (accessKeyId !== undefined && secretAccessKey !== undefined) return { credentials: { accessKeyId, secretAccessKey } };
  if (accessKeyId !== undefined || secretAccessKey !== undefined) {
    // Half a key pair would silently fall back to the default chain and fail far from the cause.
    throw new ConfigError('invalid configuration: S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY must be set together');
  }
  if (config.S3_ENDPOINT === undefined) return { credentials: { ...EMBEDDED_S3_CREDENTIALS } };
  return {};
}
