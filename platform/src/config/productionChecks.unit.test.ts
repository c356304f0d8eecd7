import { describe, it, expect } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { ConfigError, loadConfig } from './config';
import { DEVELOPMENT_KEK, DEVELOPMENT_SECRET, KNOWN_SECRETS } from './knownSecrets';
import { developmentWarnings, loadServiceConfig, productionProblem } from './productionChecks';
import { describeRunMode, isLoopbackHost, runModeOf } from './runMode';

/** What a real deployment sets: its own secret and key. */
const REAL = { AUTH_JWT_SECRET: randomBytes(32).toString('base64'), PERSONAL_DATA_KEK: randomBytes(32).toString('base64') };
const PRODUCTION = { NODE_ENV: 'production' };

/** The line loadServiceConfig refuses `env` with, or undefined when it starts. */
function refusal(env: Record<string, string>): string | undefined {
  try {
    loadServiceConfig(env);
    return undefined;
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
}

describe('the run mode', () => {
  it.each(['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]', 'LOCALHOST'])('counts %s as loopback', (host) => {
    expect(isLoopbackHost(host)).toBe(true);
  });

  it.each(['0.0.0.0', '::', '10.0.0.7', '192.168.1.2', 'api.example.com', '128.0.0.1'])('counts %s as reachable from outside', (host) => {
    expect(isLoopbackHost(host)).toBe(false);
  });

  it('is production with NODE_ENV=production, or with HOST beyond loopback, and says why', () => {
    expect(runModeOf({ NODE_ENV: 'production', HOST: '127.0.0.1' })).toEqual({ production: true, reason: 'NODE_ENV=production' });
    expect(runModeOf({ NODE_ENV: 'development', HOST: '0.0.0.0' })).toEqual({ production: true, reason: 'HOST=0.0.0.0 is not loopback' });
    expect(runModeOf({ NODE_ENV: 'production', HOST: '0.0.0.0' }).reason).toBe('NODE_ENV=production, HOST=0.0.0.0 is not loopback');
    expect(runModeOf({ HOST: '127.0.0.1' })).toEqual({ production: false, reason: 'NODE_ENV=(unset) and HOST=127.0.0.1 is loopback' });
    expect(describeRunMode(runModeOf({ NODE_ENV: 'test', HOST: '127.0.0.1' }))).toBe('running in development mode (NODE_ENV=test and HOST=127.0.0.1 is loopback)');
  });

  it('is part of the parsed configuration', () => {
    expect(loadConfig({}).RUN_MODE.production).toBe(false);
    expect(loadConfig({ HOST: '0.0.0.0' }).RUN_MODE.production).toBe(true);
  });
});

describe('a production start', () => {
  it('starts with a secret and a key of its own', () => {
    expect(refusal({ ...PRODUCTION, ...REAL })).toBeUndefined();
    expect(refusal({ HOST: '0.0.0.0', ...REAL })).toBeUndefined();
    const jwks = { AUTH_JWKS_URL: 'https://id.example.com/jwks.json', AUTH_ISSUER: 'https://id.example.com/', AUTH_AUDIENCE: 'reelay', PERSONAL_DATA_KEK: REAL.PERSONAL_DATA_KEK };
    expect(refusal({ ...PRODUCTION, ...jwks })).toBeUndefined();
  });

  it.each<[string, Record<string, string>, RegExp]>([
    ['no auth at all (the development secret)', { PERSONAL_DATA_KEK: REAL.PERSONAL_DATA_KEK }, /AUTH_JWT_SECRET \(or AUTH_JWKS_URL\) must be set/],
    ['the development secret set by hand', { ...REAL, AUTH_JWT_SECRET: DEVELOPMENT_SECRET }, /AUTH_JWT_SECRET is a secret published in the repository/],
    ['the old compose default', { ...REAL, AUTH_JWT_SECRET: 'change-me-to-a-long-random-secret-of-32-chars' }, /AUTH_JWT_SECRET is a secret published/],
    ['a test secret', { ...REAL, AUTH_JWT_SECRET: 'e2e-secret-that-is-long-enough-for-hs256-0123456789' }, /AUTH_JWT_SECRET is a secret published/],
    ['JWKS without issuer or audience', { PERSONAL_DATA_KEK: REAL.PERSONAL_DATA_KEK, AUTH_JWKS_URL: 'https://id.example.com/jwks.json' }, /AUTH_ISSUER must be set with AUTH_JWKS_URL/],
    ['JWKS without audience', { PERSONAL_DATA_KEK: REAL.PERSONAL_DATA_KEK, AUTH_JWKS_URL: 'https://id.example.com/jwks.json', AUTH_ISSUER: 'https://id.example.com/' }, /AUTH_AUDIENCE must be set with AUTH_JWKS_URL/],
    ['no key-encryption key', { AUTH_JWT_SECRET: REAL.AUTH_JWT_SECRET }, /PERSONAL_DATA_KEK must be set/],
    ['the development key-encryption key', { ...REAL, PERSONAL_DATA_KEK: DEVELOPMENT_KEK.toString('base64') }, /PERSONAL_DATA_KEK is a key published in the repository/],
    ['the demo token signer', { ...REAL, DEMO_TOKENS: 'on' }, /DEMO_TOKENS=on signs a token for any name: development only/],
    ['s3rver\'s credentials', { ...REAL, S3_SECRET_ACCESS_KEY: 'S3RVER' }, /S3_SECRET_ACCESS_KEY is a secret published/],
    ['a test OneSignal key', { ...REAL, ONESIGNAL_API_KEY: 'test-rest-api-key' }, /ONESIGNAL_API_KEY is a secret published/],
    ['the old compose database password', { ...REAL, DATABASE_URL: 'postgres://reelay:reelay@postgres:5432/reelay' }, /DATABASE_URL has a password published/],
  ])('refuses %s, in one line naming the variable and why it is production', (_case, env, expected) => {
    for (const mode of [PRODUCTION, { HOST: '0.0.0.0' }]) {
      const message = refusal({ ...mode, ...env });
      expect(message).toMatch(expected);
      expect(message).toMatch(/^refused in production mode \((NODE_ENV=production|HOST=0\.0\.0\.0 is not loopback)\): /);
      expect(message).not.toContain('\n');
    }
  });

  it('refuses a secret shorter than 32 bytes, counted in bytes, in every mode', () => {
    expect(refusal({ ...REAL, AUTH_JWT_SECRET: 'x'.repeat(31) })).toMatch(/AUTH_JWT_SECRET must be at least 32 bytes/);
    expect(refusal({ ...PRODUCTION, ...REAL, AUTH_JWT_SECRET: 'x'.repeat(31) })).toMatch(/AUTH_JWT_SECRET must be at least 32 bytes/);
    // 16 characters of two bytes each: 32 bytes, accepted.
    expect(refusal({ ...PRODUCTION, ...REAL, AUTH_JWT_SECRET: 'é'.repeat(16) })).toBeUndefined();
  });

  it('never prints the secret it refuses', () => {
    const longEnough = KNOWN_SECRETS.filter((value) => value.length >= 32);
    expect(longEnough.length).toBeGreaterThan(5);
    for (const secret of longEnough) {
      const message = refusal({ ...PRODUCTION, ...REAL, AUTH_JWT_SECRET: secret });
      expect(message).toMatch(/AUTH_JWT_SECRET is a secret published/);
      expect(message).not.toContain(secret);
    }
  });
});

describe('a development start', () => {
  it('starts on the development secret and key, the demo signer and JWKS alone', () => {
    expect(refusal({})).toBeUndefined();
    expect(refusal({ NODE_ENV: 'test', DEMO_TOKENS: 'on' })).toBeUndefined();
    expect(refusal({ AUTH_JWKS_URL: 'http://127.0.0.1:9/jwks.json' })).toBeUndefined();
  });

  it('warns about JWKS without issuer and audience, and about the demo signer', () => {
    expect(developmentWarnings(loadConfig({ AUTH_JWKS_URL: 'http://127.0.0.1:9/jwks.json', AUTH_ISSUER: 'me' }))).toEqual([expect.stringMatching(/AUTH_JWKS_URL is set without AUTH_ISSUER and AUTH_AUDIENCE/)]);
    expect(developmentWarnings(loadConfig({ DEMO_TOKENS: 'on' }))).toEqual([expect.stringMatching(/DEMO_TOKENS=on/)]);
    expect(developmentWarnings(loadConfig({}))).toEqual([]);
  });

  it('has the demo signer off unless asked for', () => {
    expect(loadConfig({}).DEMO_TOKENS).toBe('off');
    expect(refusal({ DEMO_TOKENS: 'yes' })).toMatch(/DEMO_TOKENS/);
  });

  it('decides without looking at anything but the configuration', () => {
    expect(productionProblem(loadConfig({ ...PRODUCTION, ...REAL }))).toBeUndefined();
  });
});
