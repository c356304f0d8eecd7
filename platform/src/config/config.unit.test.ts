import { describe, it, expect } from '@jest/globals';
import { ConfigError, loadConfig, natsServers } from './config';

describe('configuration', () => {
  it('gives every variable its documented default', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/reelay',
      EVENT_STORE_URL: 'postgres://postgres@127.0.0.1:5432/reelay',
      NATS_URL: 'nats://127.0.0.1:4222',
      MAX_UPLOAD_BYTES: 10 * 1024 ** 3,
      COMMAND_API_PORT: 3000,
      QUERY_API_PORT: 3001,
      QUERY_API_PUBLIC_URL: 'http://127.0.0.1:3001',
    });
    expect(config.STAGING).toMatch(/^file:\/\/.*staging$/);
    expect(config.S3_ENDPOINT).toBeUndefined();
  });

  it('reads values from the environment and treats empty ones as unset', () => {
    const config = loadConfig({ MAX_UPLOAD_BYTES: '1048576', S3_ENDPOINT: '', EVENT_STORE_URL: 'postgres://other/db' });
    expect(config.MAX_UPLOAD_BYTES).toBe(1048576);
    expect(config.S3_ENDPOINT).toBeUndefined();
    expect(config.EVENT_STORE_URL).toBe('postgres://other/db');
  });

  it.each([
    ['MAX_UPLOAD_BYTES', 'lots'],
    ['QUERY_API_PORT', '70000'],
    ['DATABASE_URL', 'mysql://localhost/db'],
    ['S3_BUCKET', 'Not_A_Bucket'],
    ['AUTH_JWT_SECRET', 'short'],
    ['STAGING', '/tmp/staging'],
    ['NATS_URL', 'nats://127.0.0.1:4222,http://127.0.0.1:4223'],
    ['NATS_JOBS_REPLICAS', '0'],
  ])('refuses a bad %s with one line that names it', (variable, value) => {
    let error: unknown;
    try {
      loadConfig({ [variable]: value });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toContain(variable);
    expect(message).not.toContain('\n');
  });

  it('takes every server of a NATS cluster, comma-separated, and the jobs stream\'s replicas', () => {
    const config = loadConfig({ NATS_URL: 'nats://127.0.0.1:4301, nats://127.0.0.1:4302,nats://127.0.0.1:4303', NATS_JOBS_REPLICAS: '3' });
    expect(natsServers(config.NATS_URL)).toEqual(['nats://127.0.0.1:4301', 'nats://127.0.0.1:4302', 'nats://127.0.0.1:4303']);
    expect(config.NATS_JOBS_REPLICAS).toBe(3);
    expect(loadConfig({}).NATS_JOBS_REPLICAS).toBe(1);
  });

  it('never prints a secret value it refuses', () => {
    expect(() => loadConfig({ AUTH_JWT_SECRET: 'tiny-secret' })).toThrow(/^((?!tiny-secret).)*$/);
  });
});
