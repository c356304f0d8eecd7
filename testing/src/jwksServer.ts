import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, generateKeyPair, type JWK, type JWTPayload, type KeyLike } from 'jose';

/** A key an identity provider signs with, and its public half as the key set publishes it. */
export interface SigningKey {
  readonly kid: string;
  readonly alg: 'RS256' | 'ES256';
  readonly privateKey: KeyLike;
  readonly publicKey: KeyLike;
  readonly publicJwk: JWK;
}

/** A fresh key pair of an identity provider, published under `kid`. */
export async function createSigningKey(alg: 'RS256' | 'ES256', kid: string): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg);
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
  return { kid, alg, privateKey, publicKey, publicJwk };
}

export interface SignOptions {
  readonly sub?: string | null;
  /** Seconds from now; null for no `exp` claim. Default: one hour. */
  readonly expiresInSeconds?: number | null;
  readonly notBeforeSeconds?: number;
  readonly issuer?: string;
  readonly audience?: string;
  /** Put no `kid` in the header (the verifier must try every key of the type). */
  readonly omitKid?: boolean;
  /** Extra protected-header parameters, e.g. a `jku` an attacker hopes is followed. */
  readonly header?: Record<string, unknown>;
}

/** Signs a token as an identity provider would; every part can be made wrong on purpose. */
export async function signWithKey(key: SigningKey, options: SignOptions = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const claims: JWTPayload = { iat: now };
  if (options.sub !== null) claims.sub = options.sub ?? 'alice';
  if (options.expiresInSeconds !== null) claims.exp = now + (options.expiresInSeconds ?? 3600);
  if (options.notBeforeSeconds !== undefined) claims.nbf = now + options.notBeforeSeconds;
  if (options.issuer) claims.iss = options.issuer;
  if (options.audience) claims.aud = options.audience;
  const header = { ...options.header, alg: key.alg, ...(options.omitKid ? {} : { kid: key.kid }) };
  return new SignJWT(claims).setProtectedHeader(header).sign(key.privateKey);
}

/**
 * An identity provider's key set on loopback: serves `{keys}` at `/jwks.json`, counts fetches,
 * and can rotate its keys or fail (answer 503) on demand.
 */
export async function startJwksServer(keys: readonly SigningKey[] = []) {
  let published = [...keys];
  let failing = false;
  let fetches = 0;
  const server = http.createServer((request, response) => {
    fetches += 1;
    if (failing || request.url !== '/jwks.json') {
      response.writeHead(failing ? 503 : 404).end();
      return;
    }
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: published.map((key) => key.publicJwk) }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/jwks.json`,
    fetches: () => fetches,
    publish(next: readonly SigningKey[]) {
      published = [...next];
    },
    fail(on: boolean) {
      failing = on;
    },
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

export type JwksServer = Awaited<ReturnType<typeof startJwksServer>>;
