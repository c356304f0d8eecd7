import { describe, it, expect } from '@jest/globals';
import { SignJWT } from 'jose';
import type { UserId } from '@reelay/contracts';
import type { TokenVerifier } from './tokens';
import { withVerifiedTokenCache } from './verifiedTokenCache';

const key = new TextEncoder().encode('a-secret-that-is-long-enough-for-the-test');
const tokenExpiringAt = (expSeconds: number, sub = 'alice') => new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject(sub).setExpirationTime(expSeconds).sign(key);

/** A verifier that counts its calls and refuses what it is told to. */
function countingVerifier(refuse: Set<string> = new Set()) {
  const calls: string[] = [];
  const verifier: TokenVerifier = {
    mode: 'hs256',
    async verify(token) {
      calls.push(token);
      if (refuse.has(token)) throw new Error('refused');
      return 'alice' as UserId;
    },
  };
  return { verifier, calls };
}

describe('the verified-token cache', () => {
  let clock = 1_000_000_000_000;
  const now = () => clock;

  it('verifies a token once and trusts it for a while', async () => {
    const inner = countingVerifier();
    const cached = withVerifiedTokenCache(inner.verifier, { now, maxAgeMs: 60_000 });
    const token = await tokenExpiringAt(clock / 1000 + 3600);
    expect(await cached.verify(token)).toBe('alice');
    expect(await cached.verify(token)).toBe('alice');
    expect(inner.calls).toHaveLength(1);
    clock += 61_000;
    await cached.verify(token);
    expect(inner.calls).toHaveLength(2);
  });

  it('never trusts a token past its own exp', async () => {
    const inner = countingVerifier();
    const cached = withVerifiedTokenCache(inner.verifier, { now, maxAgeMs: 600_000 });
    const token = await tokenExpiringAt(clock / 1000 + 5);
    await cached.verify(token);
    clock += 6_000;
    const refusing = new Set([token]);
    inner.verifier.verify = async (t) => {
      inner.calls.push(t);
      if (refusing.has(t)) throw new Error('expired');
      return 'alice' as UserId;
    };
    await expect(cached.verify(token)).rejects.toThrow('expired');
  });

  it('does not remember refusals', async () => {
    const inner = countingVerifier(new Set(['bad']));
    const cached = withVerifiedTokenCache(inner.verifier, { now });
    await expect(cached.verify('bad')).rejects.toThrow();
    await expect(cached.verify('bad')).rejects.toThrow();
    expect(inner.calls).toEqual(['bad', 'bad']);
  });

  it('forgets the oldest token beyond its size', async () => {
    const inner = countingVerifier();
    const cached = withVerifiedTokenCache(inner.verifier, { now, maxEntries: 2 });
    const [a, b, c] = await Promise.all([1, 2, 3].map((i) => tokenExpiringAt(clock / 1000 + 3600 + i)));
    for (const token of [a, b, c, a] as string[]) await cached.verify(token);
    expect(inner.calls).toEqual([a, b, c, a]);
  });
});
