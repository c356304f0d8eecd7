import { createSecretKey } from 'node:crypto';
import { SignJWT, decodeProtectedHeader, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey, type JWTVerifyOptions } from 'jose';
import { UserId } from '@reelay/contracts';
import type { Config } from '../config/config';
import { createJwksKeySource, KeySourceUnavailable, type JwksOptions } from './jwksKeySource';
import { reasonTokenWasRefused } from './tokenRefusals';
import { withVerifiedTokenCache } from './verifiedTokenCache';
import { DEVELOPMENT_SECRET } from '../config/knownSecrets';

export { DEVELOPMENT_SECRET } from '../config/knownSecrets';

/** The token is missing, malformed, expired or wrongly signed; the message is safe to show (401). */
export class Unauthenticated extends Error {
  override readonly name = 'Unauthenticated';
}

/** The token could not be checked because the identity provider's keys could not be had (503). */
export class AuthenticationUnavailable extends Error {
  override readonly name = 'AuthenticationUnavailable';
}

/**
 * Which tokens are accepted: HS256 with AUTH_JWT_SECRET, RS256/ES256 against AUTH_JWKS_URL, both
 * when both are set (each algorithm only ever against its own key), or HS256 with the
 * development secret when neither is.
 */
export type AuthMode = 'hs256' | 'jwks' | 'hs256+jwks' | 'development';

export interface TokenVerifier {
  readonly mode: AuthMode;
  /** The caller's user id (`sub`); Unauthenticated with a reason safe to show, or AuthenticationUnavailable. */
  verify(token: string): Promise<UserId>;
}

type AuthConfig = Pick<Config, 'AUTH_JWT_SECRET' | 'AUTH_JWKS_URL' | 'AUTH_ISSUER' | 'AUTH_AUDIENCE'>;

export interface TokenVerifierOptions {
  readonly jwks?: JwksOptions;
}

const SYMMETRIC = ['HS256'];
const ASYMMETRIC = ['RS256', 'ES256'];
/** Phones' and identity providers' clocks drift; half a minute either way is still "now". */
export const CLOCK_TOLERANCE_SECONDS = 30;

/**
 * Verifies bearer JWTs with jose. The algorithm list of each key is fixed here, never taken from
 * the token: `alg: none` and algorithm confusion (an HS256 token "signed" with a public key) are
 * refused before any key is touched. `exp` and `sub` are required; `nbf`, `iss` and `aud` are
 * checked (the latter two when configured).
 */
export function createTokenVerifier(config: AuthConfig, options: TokenVerifierOptions = {}): TokenVerifier {
  const secret = config.AUTH_JWT_SECRET ?? (config.AUTH_JWKS_URL ? undefined : DEVELOPMENT_SECRET);
  // A KeyObject made once: jose would otherwise import the raw secret on every verification.
  const secretKey = secret === undefined ? undefined : createSecretKey(Buffer.from(secret, 'utf8'));
  const keySet = config.AUTH_JWKS_URL ? createJwksKeySource(new URL(config.AUTH_JWKS_URL), options.jwks) : undefined;
  const mode: AuthMode = keySet ? (config.AUTH_JWT_SECRET ? 'hs256+jwks' : 'jwks') : config.AUTH_JWT_SECRET ? 'hs256' : 'development';
  const checks: JWTVerifyOptions = {
    issuer: config.AUTH_ISSUER,
    audience: config.AUTH_AUDIENCE,
    requiredClaims: ['exp', 'sub'],
    clockTolerance: CLOCK_TOLERANCE_SECONDS,
  };

  async function verifyWithKey(token: string, alg: string): Promise<JWTPayload> {
    if (secretKey && SYMMETRIC.includes(alg)) return (await jwtVerify(token, secretKey, { ...checks, algorithms: SYMMETRIC })).payload;
    if (keySet && ASYMMETRIC.includes(alg)) return verifyWithKeySet(token, keySet, { ...checks, algorithms: ASYMMETRIC });
    throw new Unauthenticated(`the bearer token is signed with ${describeAlgorithm(alg)}, which is not accepted here`);
  }

  return withVerifiedTokenCache({
    mode,
    async verify(token) {
      let alg: unknown;
      try {
        alg = decodeProtectedHeader(token).alg;
      } catch (error) {
        throw new Unauthenticated('the bearer token is not a JWT', { cause: error });
      }
      let payload: JWTPayload;
      try {
        payload = await verifyWithKey(token, typeof alg === 'string' ? alg : '');
      } catch (error) {
        if (error instanceof Unauthenticated) throw error;
        if (error instanceof KeySourceUnavailable) {
          throw new AuthenticationUnavailable('the identity provider\'s keys cannot be fetched right now; retry shortly', { cause: error });
        }
        throw new Unauthenticated(reasonTokenWasRefused(error), { cause: error });
      }
      const sub = UserId.safeParse(payload.sub);
      if (!sub.success) throw new Unauthenticated('the bearer token has no usable subject (sub)');
      return sub.data;
    },
  });
}

/**
 * Verifies against a key set. A token without `kid` matches every key of its type; jose then
 * hands back the candidates to try one by one (an identity provider in the middle of a rotation).
 */
async function verifyWithKeySet(token: string, keySet: JWTVerifyGetKey, options: JWTVerifyOptions): Promise<JWTPayload> {
  try {
    return (await jwtVerify(token, keySet, options)).payload;
  } catch (error) {
    if (!(error instanceof errors.JWKSMultipleMatchingKeys)) throw error;
    for await (const candidate of error) {
      try {
        return (await jwtVerify(token, candidate, options)).payload;
      } catch (attempt) {
        if (!(attempt instanceof errors.JWSSignatureVerificationFailed)) throw attempt;
      }
    }
    throw new errors.JWSSignatureVerificationFailed();
  }
}

/** The token's `alg` for a message: shown only when it looks like an algorithm name. */
function describeAlgorithm(alg: string): string {
  return /^[A-Za-z0-9]{1,16}$/.test(alg) ? `"${alg}"` : 'an unknown algorithm';
}

/** Signs an HS256 token for `userId`: for `npm run token` and for tests. */
export async function signToken(
  userId: string,
  options: { secret?: string; expiresIn?: string; issuer?: string; audience?: string } = {},
): Promise<string> {
  let jwt = new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject(userId).setIssuedAt();
  jwt = jwt.setExpirationTime(options.expiresIn ?? '12h');
  if (options.issuer) jwt = jwt.setIssuer(options.issuer);
  if (options.audience) jwt = jwt.setAudience(options.audience);
  return jwt.sign(new TextEncoder().encode(options.secret ?? DEVELOPMENT_SECRET));
}
