import { createLocalJWKSet, createRemoteJWKSet, errors, type JWTVerifyGetKey } from 'jose';

/** The identity provider's key set could not be had (down, slow, malformed): not the caller's fault. */
export class KeySourceUnavailable extends Error {
  override readonly name = 'KeySourceUnavailable';
}

export interface JwksOptions {
  /** Least time between two fetches, even for unknown `kid`s: bounds what a flood of forged kids costs. */
  readonly cooldownMs?: number;
  /** How long fetched keys are used before they are fetched again. */
  readonly cacheMaxAgeMs?: number;
  /** How long one fetch may take. */
  readonly timeoutMs?: number;
}

const DEFAULTS = { cooldownMs: 30_000, cacheMaxAgeMs: 10 * 60_000, timeoutMs: 5_000 };

/** What a token can be refused for by key lookup; anything else is the key source failing. */
const TOKEN_FAULTS = new Set([
  errors.JWKSNoMatchingKey.code,
  errors.JWKSMultipleMatchingKeys.code,
  errors.JOSENotSupported.code,
]);

/**
 * The keys of a remote JSON Web Key Set, through jose's cache: fetched on first use, kept for
 * `cacheMaxAgeMs`, fetched again at once when a token names a `kid` the cache does not have (a
 * key rotation), but never more often than `cooldownMs`.
 *
 * When a fetch fails and keys were fetched before, those keys still verify (stale-if-error):
 * an identity provider that is briefly down must not sign every user out. Only when no key was
 * ever fetched does the failure surface, as KeySourceUnavailable (503, not 401).
 */
export function createJwksKeySource(url: URL, options: JwksOptions = {}): JWTVerifyGetKey {
  const settings = { ...DEFAULTS, ...options };
  const remote = createRemoteJWKSet(url, {
    cooldownDuration: settings.cooldownMs,
    cacheMaxAge: settings.cacheMaxAgeMs,
    timeoutDuration: settings.timeoutMs,
  });
  return async (protectedHeader, token) => {
    try {
      return await remote(protectedHeader, token);
    } catch (error) {
      if (isTokenFault(error)) throw error;
      const lastKnown = remote.jwks();
      if (lastKnown) return createLocalJWKSet(lastKnown)(protectedHeader, token);
      throw new KeySourceUnavailable(`the key set at ${url.origin}${url.pathname} could not be fetched`, { cause: error });
    }
  };
}

function isTokenFault(error: unknown): boolean {
  return error instanceof errors.JOSEError && TOKEN_FAULTS.has(error.code);
}
