import { describe, it, expect, beforeAll, beforeEach, afterEach } from '@jest/globals';
import { SignJWT, UnsecuredJWT, exportSPKI } from 'jose';
import { createSigningKey, signWithKey, startJwksServer, type JwksServer, type SigningKey } from '@reelay/testing';
import { AuthenticationUnavailable, Unauthenticated, createTokenVerifier, signToken } from './tokens';

const SECRET = 'tokens-test-secret-0123456789abcdefghij';
const ISSUER = 'https://id.reelay.test/';
const AUDIENCE = 'reelay-api';

const hs256 = (claims: Record<string, unknown>, secret = SECRET) =>
  new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(secret));
const now = () => Math.floor(Date.now() / 1000);

async function refusal(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the token to be refused');
}

describe('HS256 tokens (AUTH_JWT_SECRET)', () => {
  const verifier = createTokenVerifier({ AUTH_JWT_SECRET: SECRET, AUTH_ISSUER: ISSUER, AUTH_AUDIENCE: AUDIENCE });
  const valid = { sub: 'alice', iss: ISSUER, aud: AUDIENCE };

  it('accepts a token signed with the secret and returns its subject', async () => {
    expect(verifier.mode).toBe('hs256');
    expect(await verifier.verify(await signToken('alice', { secret: SECRET, issuer: ISSUER, audience: AUDIENCE }))).toBe('alice');
  });

  it.each([
    ['an unsigned token (alg none)', () => new UnsecuredJWT({ ...valid, exp: now() + 60 }).encode(), /not accepted/],
    ['a token signed with another secret', () => hs256({ ...valid, exp: now() + 60 }, 'another-secret-0123456789abcdefghijkl'), /signature does not verify/],
    ['an expired token', () => hs256({ ...valid, exp: now() - 3600 }), /expired/],
    ['a token not valid yet', () => hs256({ ...valid, exp: now() + 7200, nbf: now() + 3600 }), /not valid yet/],
    ['a token without sub', () => hs256({ iss: ISSUER, aud: AUDIENCE, exp: now() + 60 }), /"sub"/],
    ['a token without exp', () => hs256({ ...valid }), /"exp"/],
    ['a token from another issuer', () => hs256({ ...valid, iss: 'https://evil.test/', exp: now() + 60 }), /issuer/],
    ['a token for another audience', () => hs256({ ...valid, aud: 'another-api', exp: now() + 60 }), /\(aud\)/],
    ['a subject with a control character', () => hs256({ ...valid, sub: 'ali\u0000ce', exp: now() + 60 }), /subject/],
    ['a subject that is not a string', () => hs256({ ...valid, sub: 42, exp: now() + 60 }), /subject/],
    ['three random segments', async () => 'abc.def.ghi', /not a JWT/],
  ])('refuses %s with a reason', async (_name, make, reason) => {
    const error = await refusal(verifier.verify(await make()));
    expect(error).toBeInstanceOf(Unauthenticated);
    expect(error.message).toMatch(reason);
    expect(error.message).not.toContain(SECRET);
  });

  it('tolerates half a minute of clock drift, and no more', async () => {
    expect(await verifier.verify(await hs256({ ...valid, exp: now() - 10 }))).toBe('alice');
    expect(await refusal(verifier.verify(await hs256({ ...valid, exp: now() - 120 })))).toBeInstanceOf(Unauthenticated);
  });

  it('refuses RS256 tokens when no key set is configured', async () => {
    const key = await createSigningKey('RS256', 'k1');
    const error = await refusal(verifier.verify(await signWithKey(key, { issuer: ISSUER, audience: AUDIENCE })));
    expect(error).toBeInstanceOf(Unauthenticated);
    expect(error.message).toMatch(/"RS256", which is not accepted/);
  });
});

describe('tokens from an identity provider (AUTH_JWKS_URL)', () => {
  let rsa: SigningKey;
  let ec: SigningKey;
  let jwks: JwksServer;

  beforeAll(async () => {
    rsa = await createSigningKey('RS256', 'rsa-1');
    ec = await createSigningKey('ES256', 'ec-1');
  });
  beforeEach(async () => {
    jwks = await startJwksServer([rsa, ec]);
  });
  afterEach(async () => {
    await jwks.close();
  });

  const verifierFor = (jwksOptions: { cooldownMs?: number; cacheMaxAgeMs?: number } = {}) =>
    createTokenVerifier({ AUTH_JWKS_URL: jwks.url, AUTH_ISSUER: ISSUER, AUTH_AUDIENCE: AUDIENCE }, { jwks: { timeoutMs: 1000, ...jwksOptions } });
  const claims = { issuer: ISSUER, audience: AUDIENCE };

  it('accepts RS256 and ES256 tokens signed with published keys, fetching the key set once', async () => {
    const verifier = verifierFor();
    expect(verifier.mode).toBe('jwks');
    expect(await verifier.verify(await signWithKey(rsa, { ...claims, sub: 'alice' }))).toBe('alice');
    expect(await verifier.verify(await signWithKey(ec, { ...claims, sub: 'bob' }))).toBe('bob');
    for (let i = 0; i < 5; i += 1) await verifier.verify(await signWithKey(rsa, claims));
    expect(jwks.fetches()).toBe(1);
  });

  it('fetches the key set again when a token names an unknown kid (a key rotation)', async () => {
    const verifier = verifierFor({ cooldownMs: 0 });
    await verifier.verify(await signWithKey(rsa, claims));
    const rotated = await createSigningKey('RS256', 'rsa-2');
    jwks.publish([rotated]);

    expect(await verifier.verify(await signWithKey(rotated, { ...claims, sub: 'carol' }))).toBe('carol');
    expect(jwks.fetches()).toBe(2);
  });

  it('does not let a flood of unknown kids refetch the key set during the cooldown', async () => {
    const verifier = verifierFor({ cooldownMs: 60_000 });
    await verifier.verify(await signWithKey(rsa, claims));
    for (let i = 0; i < 10; i += 1) {
      const stranger = await createSigningKey('ES256', `forged-${i}`);
      expect(await refusal(verifier.verify(await signWithKey(stranger, claims)))).toBeInstanceOf(Unauthenticated);
    }
    expect(jwks.fetches()).toBe(1);
  });

  it.each([
    ['a key the provider does not publish', async () => signWithKey(await createSigningKey('RS256', 'rsa-1'), claims)],
    ['a published kid but another key (a forged header)', async () => signWithKey({ ...(await createSigningKey('ES256', 'x')), kid: 'ec-1' }, claims)],
    ['a jku header pointing at the attacker\'s own key set', async () => signWithKey(await createSigningKey('RS256', 'evil'), { ...claims, header: { jku: 'http://127.0.0.1:1/evil.json' } })],
    ['HS256 "signed" with the provider\'s public key (algorithm confusion)', async () =>
      new SignJWT({ sub: 'mallory', iss: ISSUER, aud: AUDIENCE, exp: now() + 60 })
        .setProtectedHeader({ alg: 'HS256', kid: 'rsa-1' })
        .sign(new TextEncoder().encode(await exportSPKI(rsa.publicKey)))],
    ['an unsigned token (alg none)', async () => new UnsecuredJWT({ sub: 'mallory', iss: ISSUER, aud: AUDIENCE, exp: now() + 60 }).encode()],
    ['an expired token', async () => signWithKey(rsa, { ...claims, expiresInSeconds: -3600 })],
    ['a token for another audience', async () => signWithKey(rsa, { issuer: ISSUER, audience: 'someone-else' })],
  ])('refuses %s', async (_name, make) => {
    expect(await refusal(verifierFor({ cooldownMs: 0 }).verify(await make()))).toBeInstanceOf(Unauthenticated);
  });

  it('verifies a token without kid against each key of its type', async () => {
    const second = await createSigningKey('RS256', 'rsa-2');
    jwks.publish([rsa, second, ec]);
    expect(await verifierFor().verify(await signWithKey(second, { ...claims, omitKid: true, sub: 'dave' }))).toBe('dave');
  });

  it('answers "unavailable", not "unauthenticated", when the key set cannot be fetched at all', async () => {
    jwks.fail(true);
    const error = await refusal(verifierFor().verify(await signWithKey(rsa, claims)));
    expect(error).toBeInstanceOf(AuthenticationUnavailable);
  });

  it('keeps verifying with the keys it has when the provider goes down later (stale-if-error)', async () => {
    const verifier = verifierFor({ cacheMaxAgeMs: 1, cooldownMs: 0 });
    await verifier.verify(await signWithKey(rsa, claims));
    jwks.fail(true);
    await new Promise((resolve) => setTimeout(resolve, 5));

    expect(await verifier.verify(await signWithKey(ec, { ...claims, sub: 'erin' }))).toBe('erin');
    expect(jwks.fetches()).toBeGreaterThan(1);
    const stranger = await createSigningKey('RS256', 'unknown');
    expect(await refusal(verifier.verify(await signWithKey(stranger, claims)))).toBeInstanceOf(Unauthenticated);
  });

  it('accepts both kinds of token when both AUTH_JWT_SECRET and AUTH_JWKS_URL are set, each only with its own key', async () => {
    const verifier = createTokenVerifier({ AUTH_JWT_SECRET: SECRET, AUTH_JWKS_URL: jwks.url });
    expect(verifier.mode).toBe('hs256+jwks');
    expect(await verifier.verify(await signToken('hs-user', { secret: SECRET }))).toBe('hs-user');
    expect(await verifier.verify(await signWithKey(rsa, { sub: 'rs-user' }))).toBe('rs-user');
    const confused = await new SignJWT({ sub: 'mallory', exp: now() + 60 })
      .setProtectedHeader({ alg: 'HS256' })
      .sign(new TextEncoder().encode(await exportSPKI(rsa.publicKey)));
    expect(await refusal(verifier.verify(confused))).toBeInstanceOf(Unauthenticated);
  });
});
