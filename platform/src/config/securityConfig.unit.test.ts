import { describe, it, expect } from '@jest/globals';
import { loadConfig } from './config';
import { configRefusal as refusal } from '@reelay/testing';

describe('the security and limits configuration', () => {
  it('has documented defaults', () => {
    expect(loadConfig({})).toMatchObject({
      RATE_LIMIT_MAX: 600,
      RATE_LIMIT_WINDOW_MS: 60_000,
      MAX_CONCURRENT_UPLOADS_PER_USER: 3,
      UPLOAD_IDLE_TIMEOUT_MS: 60_000,
      STAGING_SWEEP_INTERVAL_MS: 600_000,
      STAGING_SWEEP_GRACE_MS: 3_600_000,
      MAX_OPEN_UPLOADS_PER_USER: 20,
    });
  });

  it('lets the sweeper be turned off with an interval of 0', () => {
    expect(loadConfig({ STAGING_SWEEP_INTERVAL_MS: '0' }).STAGING_SWEEP_INTERVAL_MS).toBe(0);
  });

  it.each([
    ['RATE_LIMIT_MAX', '0'],
    ['RATE_LIMIT_WINDOW_MS', 'a minute'],
    ['MAX_CONCURRENT_UPLOADS_PER_USER', '-1'],
    ['UPLOAD_IDLE_TIMEOUT_MS', '1.5'],
    ['STAGING_SWEEP_INTERVAL_MS', '-5'],
    ['MAX_OPEN_UPLOADS_PER_USER', '0'],
  ])('refuses %s=%s, naming it', (variable, value) => {
    expect(refusal({ [variable]: value })).toContain(variable);
  });

  it('refuses a sweep grace period that is not longer than the upload idle timeout', () => {
    const message = refusal({ STAGING_SWEEP_GRACE_MS: '60000', UPLOAD_IDLE_TIMEOUT_MS: '60000' });
    expect(message).toMatch(/STAGING_SWEEP_GRACE_MS must be longer than UPLOAD_IDLE_TIMEOUT_MS/);
    expect(message).not.toContain('\n');
  });

  it('fetches key sets over HTTPS only, or plain HTTP on loopback', () => {
    expect(loadConfig({ AUTH_JWKS_URL: 'https://id.example.com/.well-known/jwks.json' }).AUTH_JWKS_URL).toBeDefined();
    expect(loadConfig({ AUTH_JWKS_URL: 'http://127.0.0.1:8080/jwks.json' }).AUTH_JWKS_URL).toBeDefined();
    expect(refusal({ AUTH_JWKS_URL: 'http://id.example.com/jwks.json' })).toContain('AUTH_JWKS_URL');
    expect(refusal({ AUTH_JWKS_URL: 'file:///etc/jwks.json' })).toContain('AUTH_JWKS_URL');
  });
});
