import { describe, it, expect, beforeEach, afterEach } from '@jest/globals';
import { signWithKey } from '@reelay/testing';
import { AUDIENCE, ISSUER, startSecurityHarness, type SecurityHarness } from './securityHarness';

describe("tokens from an identity provider's key set, on both APIs", () => {
  let h: SecurityHarness;

  beforeEach(async () => {
    h = await startSecurityHarness();
  });
  afterEach(async () => {
    await h.dispose();
  });

  const idpToken = (sub: string) => signWithKey(h.idpKey, { sub, issuer: ISSUER, audience: AUDIENCE });

  it('are accepted by the query API and the command API', async () => {
    const authorization = `Bearer ${await idpToken('idp-user')}`;
    const list = await fetch(`${h.queryUrl}/v1/users/me/videos`, { headers: { authorization } });
    expect(list.status).toBe(200);
    expect(((await list.json()) as { userId: string }).userId).toBe('idp-user');
    const upload = await fetch(`${h.commandUrl}/v1/videos?title=t&fileName=f.mp4`, {
      method: 'POST',
      headers: { authorization, 'content-type': 'video/mp4' },
      body: h.video,
    });
    expect(upload.status).toBe(202);
  });

  it('get 503 with Retry-After, not 401, while the key set cannot be fetched, and work again after', async () => {
    h.jwks.fail(true);
    const authorization = `Bearer ${await idpToken('idp-user')}`;
    const refused = await fetch(`${h.queryUrl}/v1/users/me/videos`, { headers: { authorization } });
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('5');
    expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await refused.json()).toMatchObject({ status: 503, detail: expect.not.stringContaining('127.0.0.1') });

    h.jwks.fail(false);
    expect((await fetch(`${h.queryUrl}/v1/users/me/videos`, { headers: { authorization } })).status).toBe(200);
  });
});
