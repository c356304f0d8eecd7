import { SignJWT, createRemoteJWKSet, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { UserId } from '@reelay/contracts';
import type { Config } from '../config/config';

/**
 * Used only when neither AUTH_JWT_SECRET nor AUTH_JWKS_URL is set, so that `npm start` works
 * on a fresh machine; every service says so loudly at start.
 */
export const DEVELOPMENT_SECRET = 'reelay-development-secret-do-not-use-in-production';

export class Unauthenticated extends Error {
  override readonly name = 'Unauthenticated';
}

export type AuthMode = 'hs256' | 'jwks' | 'development';

export interface TokenVerifier {
  readonly mode: AuthMode;
  /** The caller's user id (`sub`), or Unauthenticated with a reason safe to show. */
  verify(token: string): Promise<UserId>;
}

type AuthConfig = Pick<Config, 'AUTH_JWT_SECRET' | 'AUTH_JWKS_URL' | 'AUTH_ISSUER' | 'AUTH_AUDIENCE'>;

export function createTokenVerifier(config: AuthConfig): TokenVerifier {
  const mode: AuthMode = config.AUTH_JWKS_URL ? 'jwks' : config.AUTH_JWT_SECRET ? 'hs256' : 'development';
  const key: Uint8Array | JWTVerifyGetKey =
    mode === 'jwks'
      ? createRemoteJWKSet(new URL(config.AUTH_JWKS_URL as string))
      : new TextEncoder().encode(config.AUTH_JWT_SECRET ?? DEVELOPMENT_SECRET);
  const algorithms = mode === 'jwks' ? ['RS256', 'ES256'] : ['HS256'];

  return {
    mode,
    async verify(token) {
      let payload;
      try {
        ({ payload } = await jwtVerify(token, key as Uint8Array, {
          algorithms,
          issuer: config.AUTH_ISSUER,
          audience: config.AUTH_AUDIENCE,
        }));
      } catch (error) {
        throw new Unauthenticated(`the bearer token is not valid (${(error as { code?: string }).code ?? 'invalid'})`, {
          cause: error,
        });
      }
      const sub = UserId.safeParse(payload.sub);
      if (!sub.success) throw new Unauthenticated('the bearer token has no usable subject (sub)');
      return sub.data;
    },
  };
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
