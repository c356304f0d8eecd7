import { decodeJwt } from 'jose';
import type { UserId } from '@reelay/contracts';
import type { TokenVerifier } from './tokens';

export interface VerifiedTokenCacheOptions {
  /** Tokens remembered at most; the oldest is forgotten first. */
  readonly maxEntries?: number;
  /** How long a verification is trusted, at most (never past the token's own `exp`). */
  readonly maxAgeMs?: number;
  readonly now?: () => number;
}

interface Entry {
  readonly userId: UserId;
  readonly validUntil: number;
}

/**
 * Remembers tokens that verified, so a phone polling its video's status does not pay for a
 * signature check on every request (it was an eighth of a status read's CPU). Only successes
 * are kept, each until the earlier of its `exp` and `maxAgeMs` from now; failures are checked
 * afresh every time, so nothing is accepted that the verifier would refuse at that moment.
 */
export function withVerifiedTokenCache(verifier: TokenVerifier, options: VerifiedTokenCacheOptions = {}): TokenVerifier {
  const maxEntries = options.maxEntries ?? 10_000;
  const maxAgeMs = options.maxAgeMs ?? 60_000;
  const now = options.now ?? Date.now;
  const entries = new Map<string, Entry>();

  return {
    mode: verifier.mode,
    async verify(token) {
      const cached = entries.get(token);
      if (cached && cached.validUntil > now()) return cached.userId;
      if (cached) entries.delete(token);
      const userId = await verifier.verify(token);
      const exp = decodeJwt(token).exp;
      const validUntil = Math.min(now() + maxAgeMs, typeof exp === 'number' ? exp * 1000 : 0);
      if (validUntil > now()) {
        entries.set(token, { userId, validUntil });
        // Maps keep insertion order: the first key is the oldest entry.
        if (entries.size > maxEntries) entries.delete(entries.keys().next().value as string);
      }
      return userId;
    },
  };
}
