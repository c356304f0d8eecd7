import type { BackoffPolicy } from '@reelay/contracts';

/** How a failed attempt should end: tried again later, or recorded as `UploadFailed` for good. */
export interface FailureClass {
  readonly retryable: boolean;
  readonly code: string;
  readonly reason: string;
}

const RETRYABLE_NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENOTFOUND', 'UND_ERR_SOCKET']);

interface S3LikeError {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
  $retryable?: unknown;
}

/** Sorts an error from staging, S3 or the event store into retryable or permanent. Pure. */
export function classifyFailure(error: unknown): FailureClass {
  const e = mostSpecific(error);
  const status = e.$metadata?.httpStatusCode;
  const message = e.message ?? String(error);
  if (e.name === 'UploadStalled') return { retryable: true, code: 'UPLOAD_STALLED', reason: `the upload stalled: ${message}` };
  if (e.name === 'MultipartUploadLost') return { retryable: true, code: 'MULTIPART_UPLOAD_LOST', reason: message };
  if (e.name === 'SourceSizeMismatch' || e.name === 'UploadSizeMismatch') {
    return { retryable: false, code: 'STAGED_COPY_SIZE_MISMATCH', reason: `the staged copy does not have the announced size: ${message}` };
  }
  if (e.code === 'ENOENT') return { retryable: false, code: 'STAGED_COPY_MISSING', reason: 'the staged copy of the video is gone' };
  if (status === 403 || e.name === 'AccessDenied' || e.name === 'InvalidAccessKeyId' || e.name === 'SignatureDoesNotMatch') {
    return { retryable: false, code: 'STORAGE_ACCESS_DENIED', reason: `object storage refused access: ${message}` };
  }
  if (e.name === 'NoSuchBucket') return { retryable: false, code: 'STORAGE_BUCKET_MISSING', reason: `the bucket does not exist: ${message}` };
  if (status !== undefined && (status >= 500 || status === 429 || status === 408)) {
    return { retryable: true, code: `STORAGE_HTTP_${status}`, reason: `object storage answered ${status}: ${message}` };
  }
  if (status !== undefined && status >= 400) return { retryable: false, code: `STORAGE_HTTP_${status}`, reason: `object storage answered ${status}: ${message}` };
  if (e.$retryable || (e.code && RETRYABLE_NETWORK_CODES.has(e.code)) || e.name === 'TimeoutError') {
    return { retryable: true, code: e.code ?? e.name ?? 'NETWORK', reason: `network error: ${message}` };
  }
  // Unknown errors (a database hiccup, a bug) are retried: attempts are bounded anyway.
  return { retryable: true, code: 'UNEXPECTED', reason: message };
}

const OWN_ERRORS = new Set(['UploadStalled', 'MultipartUploadLost', 'SourceSizeMismatch', 'UploadSizeMismatch']);

/** Adapters wrap SDK errors; the one that says most (an HTTP status or an errno code) decides. */
function mostSpecific(error: unknown): S3LikeError {
  for (let current = error as (S3LikeError & { cause?: unknown }) | undefined, depth = 0; current && depth < 5; depth += 1) {
    if (current.$metadata?.httpStatusCode !== undefined || current.code || OWN_ERRORS.has(current.name ?? '')) return current;
    current = current.cause as typeof current;
  }
  return (error ?? {}) as S3LikeError;
}

/**
 * The delay before JetStream brings a failed job back, by delivery count: 1 s doubling to 30 s,
 * with equal jitter (half the step fixed, half random) so jobs that failed together spread out.
 */
export const JOB_RETRY_BACKOFF: BackoffPolicy = { initialMs: 1000, maxMs: 30_000, jitter: 'equal' };
