import { SignJWT, UnsecuredJWT, exportSPKI } from 'jose';
import { createSigningKey, signWithKey } from '@reelay/testing';
import { rawExchange } from './rawHttp';
import { AUDIENCE, ISSUER } from './securityHarness';
import { UUID, UPLOAD, now, claims, hs256, fromRaw, call, upload, uploadHead, expectHeader, type BadInputCase } from './badInputKit';

/** Requests without a valid token for this API: each must be refused with 401 (or 431 when the token is too big to read). */
export const TOKEN_CASES: readonly BadInputCase[] = [
  { name: 'an upload without Authorization', api: 'command', status: 401, send: upload(UPLOAD, { auth: 'none' }), check: expectHeader('www-authenticate', /^Bearer$/) },
  { name: 'a list without Authorization', api: 'query', status: 401, send: call('query', '/v1/users/me/videos', { auth: 'none' }) },
  { name: 'a Basic credential instead of a bearer token', api: 'query', status: 401, send: call('query', `/v1/videos/${UUID}`, { auth: async () => 'Basic YWxpY2U6c2VjcmV0' }) },
  { name: 'an empty bearer token', api: 'command', status: 401, send: call('command', `/v1/videos/${UUID}`, { method: 'DELETE', auth: async () => 'Bearer ' }) },
  { name: 'a token that is not a JWT', api: 'query', status: 401, send: call('query', '/v1/users/me/videos', { auth: async () => 'Bearer not.a.jwt' }) },
  {
    name: 'an unsigned token (alg none)',
    api: 'command',
    status: 401,
    send: upload(UPLOAD, { auth: async (c) => `Bearer ${new UnsecuredJWT(claims(c.user)).encode()}` }),
  },
  { name: 'a token signed with another secret', api: 'query', status: 401, send: call('query', '/v1/users/me/videos', { auth: async (c) => `Bearer ${await hs256(claims(c.user), 'x'.repeat(40))}` }) },
  { name: 'an expired token', api: 'command', status: 401, send: upload(UPLOAD, { auth: async (c) => `Bearer ${await hs256({ ...claims(c.user), exp: now() - 3600 })}` }) },
  {
    name: 'a token that is not valid yet',
    api: 'query',
    status: 401,
    send: call('query', '/v1/users/me/videos', { auth: async (c) => `Bearer ${await hs256({ ...claims(c.user), nbf: now() + 3600 })}` }),
  },
  { name: 'a token without sub', api: 'command', status: 401, send: upload(UPLOAD, { auth: async () => `Bearer ${await hs256({ ...claims('x'), sub: undefined })}` }) },
  { name: 'a token without exp', api: 'query', status: 401, send: call('query', '/v1/users/me/videos', { auth: async (c) => `Bearer ${await hs256({ ...claims(c.user), exp: undefined })}` }) },
  { name: 'a token from another issuer', api: 'command', status: 401, send: upload(UPLOAD, { auth: async (c) => `Bearer ${await hs256({ ...claims(c.user), iss: 'https://evil.test/' })}` }) },
  { name: 'a token for another audience', api: 'query', status: 401, send: call('query', '/v1/users/me/videos', { auth: async (c) => `Bearer ${await hs256({ ...claims(c.user), aud: 'other-api' })}` }) },
  {
    name: 'an RS256 token from a key the identity provider does not publish',
    api: 'query',
    status: 401,
    send: call('query', '/v1/users/me/videos', {
      auth: async (c) => `Bearer ${await signWithKey(await createSigningKey('RS256', 'idp-key-1'), { sub: c.user, issuer: ISSUER, audience: AUDIENCE })}`,
    }),
  },
  {
    name: "an HS256 token 'signed' with the identity provider's public key",
    api: 'command',
    status: 401,
    send: upload(UPLOAD, {
      auth: async (c) =>
        `Bearer ${await new SignJWT(claims(c.user)).setProtectedHeader({ alg: 'HS256', kid: 'idp-key-1' }).sign(new TextEncoder().encode(await exportSPKI(c.h.idpKey.publicKey)))}`,
    }),
  },
  { name: 'an Authorization header of 10 kB', api: 'query', status: 431, send: call('query', '/v1/users/me/videos', { auth: async () => `Bearer ${'a'.repeat(10_000)}` }) },
  {
    name: 'headers larger than 16 KiB',
    api: 'command',
    status: 431,
    send: async (c) => fromRaw(await rawExchange(c.h.commandUrl, { head: `${await uploadHead(c)}\r\nX-Padding: ${'p'.repeat(20_000)}` })),
  },

];
