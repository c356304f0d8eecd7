import { describe, it, expect } from '@jest/globals';
import { Writable } from 'node:stream';
import { createLogger } from './logger';
import { scrubSecrets, secretValuesOf } from './scrubSecrets';

const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlLWJ5dGVz';

/** A logger writing into memory, flushed synchronously. */
function capture(secrets: string[] = []) {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(chunk.toString());
      callback();
    },
  });
  return { logger: createLogger('test', 'trace', { destination, secrets }), text: () => lines.join('') };
}

describe('the logger', () => {
  it('redacts credentials by path: headers, configuration, SDK options', () => {
    const { logger, text } = capture();
    logger.info({ req: { headers: { authorization: `Bearer ${JWT}`, cookie: 'sid=abc' } } }, 'request');
    logger.info({ config: { AUTH_JWT_SECRET: 'cfg-secret-1', S3_SECRET_ACCESS_KEY: 'cfg-secret-2', S3_ACCESS_KEY_ID: 'cfg-secret-3', ONESIGNAL_API_KEY: 'cfg-secret-4', S3_BUCKET: 'videos' } }, 'config');
    logger.info({ client: { credentials: { accessKeyId: 'sdk-1', secretAccessKey: 'sdk-2' } }, push: { restApiKey: 'sdk-3' } }, 'sdk');

    const output = text();
    for (const secret of [JWT, 'sid=abc', 'cfg-secret-1', 'cfg-secret-2', 'cfg-secret-3', 'cfg-secret-4', 'sdk-1', 'sdk-2', 'sdk-3']) {
      expect(output).not.toContain(secret);
    }
    expect(output).toContain('"S3_BUCKET":"videos"');
    expect(output).toContain('[redacted]');
  });

  it('scrubs secrets from free text: messages, error texts and URLs', () => {
    const { logger, text } = capture(['configured-secret-value-0123']);
    logger.error({ err: new Error(`upstream said: Authorization: Bearer ${JWT}`) }, 'failed');
    logger.warn(`token was ${JWT}`);
    logger.info({ url: '/v1/videos?title=Holiday&access_token=opaque-token-123&fileName=a.mp4' }, 'incoming');
    logger.info({ database: 'postgres://reelay:db-password-9@db:5432/reelay' }, 'connecting');
    logger.info('the key is configured-secret-value-0123, apparently');
    logger.info('OneSignal answered to Key os_v2_app_abcdefghijklmnopqrstuvwxyz');

    const output = text();
    for (const secret of [JWT, 'opaque-token-123', 'db-password-9', 'configured-secret-value-0123', 'os_v2_app_abcdefghijklmnopqrstuvwxyz']) {
      expect(output).not.toContain(secret);
    }
    // The user's words are personal data: kept out of logs, which cannot be erased.
    expect(output).not.toContain('Holiday');
    expect(output).toContain('/v1/videos?title=[personal]&access_token=[redacted]&fileName=[personal]');
    expect(output).toContain('postgres://reelay:[redacted]@db:5432/reelay');
  });
});

describe('scrubSecrets', () => {
  it('leaves ordinary lines alone', () => {
    const line = '{"msg":"request completed","url":"http://127.0.0.1:3000/v1/videos/abc","statusCode":202}';
    expect(scrubSecrets(line, [])).toBe(line);
  });

  it('finds a secret value also in its JSON-escaped form', () => {
    const secret = 'with"quote\\and-backslash';
    expect(scrubSecrets(JSON.stringify({ msg: `x ${secret} y` }), [secret])).not.toContain('quote');
  });

  it('takes the secret variables of the environment, ignoring values too short to scrub safely', () => {
    expect(secretValuesOf({ AUTH_JWT_SECRET: 'a-long-enough-secret', S3_SECRET_ACCESS_KEY: 'short', LOG_LEVEL: 'info-and-more' })).toEqual(['a-long-enough-secret']);
  });
});
