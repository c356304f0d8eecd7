import { createHash } from 'node:crypto';
import { VideoId } from '@reelay/contracts';

/**
 * The video id for an `Idempotency-Key`: a name-based UUID (version 8) of the user and the key.
 * The same key from the same user always names the same stream, so the event store's
 * "stream must not exist" check is what makes a repeated request record nothing new, with no
 * table of keys to keep in step.
 */
export function videoIdForIdempotencyKey(userId: string, key: string): VideoId {
  const hash = createHash('sha256').update(`reelay-idempotency\n${userId}\n${key}`).digest();
  hash[6] = ((hash[6] as number) & 0x0f) | 0x80;
  hash[8] = ((hash[8] as number) & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return VideoId.parse(`${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`);
}

/** Printable ASCII, as the IETF draft for the header suggests; long enough for a UUID or a hash. */
export const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;
