import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { backoffDelay, type BackoffPolicy } from '@reelay/contracts';

/** A video as the phone sent it: what the end state must match. */
export interface SentVideo {
  readonly videoId: string;
  readonly userId: string;
  readonly sha256: string;
  readonly sizeBytes: number;
  /** POSTs it took (a phone retries with the same Idempotency-Key until it gets its 202). */
  readonly attempts: number;
}

/** The first bytes of an MP4 (`ftyp`), then noise: enough for the command API's video check. */
const MP4_HEADER = Buffer.from('0000001c667479706d703432000000006d7034316d70343269736f6d', 'hex');

export function randomVideo(sizeBytes: number): Buffer {
  return Buffer.concat([MP4_HEADER, randomBytes(Math.max(0, sizeBytes - MP4_HEADER.length))]);
}

const RETRYABLE = new Set([408, 429, 500, 502, 503, 504]);
/** A phone's wait between tries: 200 ms doubling to 2 s, so a test sees the system back within 2 s of its return. */
export const PHONE_RETRY: BackoffPolicy = { initialMs: 200, maxMs: 2000, jitter: 'none' };

/**
 * Uploads a video the way a phone in the background does: on a dropped connection or a `5xx` it
 * tries again with the same Idempotency-Key, so the system records it once whatever happened to
 * the earlier attempts.
 */
export async function sendVideo(commandApi: string, token: string, userId: string, bytes: Buffer, timeoutMs = 120_000): Promise<SentVideo> {
  const key = randomUUID();
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (let attempt = 1; ; attempt += 1) {
    try {
      const response = await fetch(`${commandApi}/v1/videos?title=chaos&fileName=chaos.mp4`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'video/mp4', 'idempotency-key': key },
        body: bytes,
        signal: AbortSignal.timeout(30_000),
      });
      const text = await response.text();
      if (response.status === 202) {
        const { videoId } = JSON.parse(text) as { videoId: string };
        return { videoId, userId, sha256: createHash('sha256').update(bytes).digest('hex'), sizeBytes: bytes.length, attempts: attempt };
      }
      if (!RETRYABLE.has(response.status)) throw new Error(`POST /v1/videos answered ${response.status}: ${text}`);
      last = `${response.status} ${text.slice(0, 200)}`;
    } catch (error) {
      if ((error as Error).message.startsWith('POST /v1/videos answered')) throw error;
      last = (error as Error).message;
    }
    if (Date.now() > deadline) throw new Error(`the upload was never accepted (last: ${last})`);
    await new Promise((resolve) => setTimeout(resolve, backoffDelay(attempt, PHONE_RETRY)));
  }
}

/** The video's status as the query API shows it, or undefined while it cannot say. */
export async function videoStatus(queryApi: string, token: string, videoId: string): Promise<{ status: string; uploadedPercentage: number } | undefined> {
  try {
    const response = await fetch(`${queryApi}/v1/videos/${videoId}`, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(5000) });
    if (response.status !== 200) {
      await response.arrayBuffer();
      return undefined;
    }
    return (await response.json()) as { status: string; uploadedPercentage: number };
  } catch {
    return undefined;
  }
}
