import { describe, it, expect, afterAll } from '@jest/globals';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { SignJWT } from 'jose';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { startCommandApi } from '@reelay/command-api';
import { startNotifier } from '@reelay/notifier';
import { startOneSignalStandIn, type OneSignalStandIn } from '@reelay/notifier/testing';
import { createLogger, loadConfig, signToken, type RunningService } from '@reelay/platform';
import { createTestDatabase, eventually, testS3Endpoint, uniqueBucketName, uniqueName } from '@reelay/testing';
import { startProjector } from '@reelay/projector';
import { startQueryApi } from '@reelay/query-api';
import { startUploader } from '@reelay/uploader';
import { SAMPLE_VIDEO } from './securityHarness';

/** Distinctive enough to be found anywhere in the logs. */
const TITLE = 'Lisbon-rooftops-q7x';
const FILE_NAME = 'lisbon-q7x.mp4';
const JWT_SECRET = 'log-test-jwt-secret-7f3a9c1e5b2d8f4a6c0e';
const ONESIGNAL_KEY = 'os_v2_app_logtestkey9d8c7b6a5f4e3d2c1b0a';
const DB_PASSWORD = 'db-password-5e1f9a7c3b';
/** s3rver accepts only its own well-known credentials; they must not show either. */
const S3_CREDENTIAL = 'S3RVER';

/**
 * Every service of the system in this process, each with a logger that writes into one buffer at
 * `trace` level, and with no secret values handed to the scrubber: what stays out of these logs
 * stays out by redaction and by the scrubber's patterns alone. A real journey runs through it
 * (upload, S3 multipart, OneSignal push, delete) plus the requests a hostile or careless client
 * makes with tokens; then the logs are searched for every secret that was in play.
 */
describe('the logs of a run', () => {
  let logs = '';
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      logs += chunk.toString();
      callback();
    },
  });
  const loggerFor = (service: string) => createLogger(service, 'trace', { destination, secrets: [] });
  const services: RunningService[] = [];
  const stream = uniqueName('LOGS');
  let database: { url: string; drop(): Promise<void> };
  let oneSignal: OneSignalStandIn;
  let stagingDir: string;

  afterAll(async () => {
    for (const service of services.reverse()) await service.stop().catch(() => undefined);
    await oneSignal?.close();
    await database?.drop();
    if (stagingDir) await rm(stagingDir, { recursive: true, force: true });
    const nc = await connect({ servers: process.env.TEST_NATS_URL ?? 'nats://127.0.0.1:4222' });
    await (await jetstreamManager(nc)).streams.delete(stream).catch(() => undefined);
    await nc.close();
  });

  it('never contain a token, the JWT secret, S3 credentials, OneSignal keys or a database password', async () => {
    database = await createTestDatabase('reelay_logs');
    oneSignal = await startOneSignalStandIn();
    stagingDir = await mkdtemp(path.join(os.tmpdir(), 'reelay-logs-'));
    const withPassword = new URL(database.url);
    // Postgres here trusts loopback, so the password is never checked; it is only there to leak.
    withPassword.password = DB_PASSWORD;
    const config = loadConfig({
      DATABASE_URL: withPassword.toString(),
      JOBS_STREAM: stream,
      HOST: '127.0.0.1',
      COMMAND_API_PORT: '0',
      QUERY_API_PORT: '0',
      UPLOADER_OPS_PORT: '0',
      PROJECTOR_OPS_PORT: '0',
      NOTIFIER_OPS_PORT: '0',
      STAGING: `file://${stagingDir}`,
      S3_ENDPOINT: testS3Endpoint(),
      S3_BUCKET: uniqueBucketName('reelay-logs'),
      S3_ACCESS_KEY_ID: S3_CREDENTIAL,
      S3_SECRET_ACCESS_KEY: S3_CREDENTIAL,
      ONESIGNAL_APP_ID: 'log-test-app',
      ONESIGNAL_API_KEY: ONESIGNAL_KEY,
      ONESIGNAL_API_URL: oneSignal.url,
      AUTH_JWT_SECRET: JWT_SECRET,
      PROGRESS_INTERVAL_MS: '100',
      LOG_LEVEL: 'trace',
    });
    services.push(await startProjector(config, loggerFor('projector')));
    services.push(await startNotifier(config, loggerFor('notifier')));
    services.push(await startUploader(config, loggerFor('uploader')));
    const query = await startQueryApi(config, loggerFor('query-api'));
    services.push(query);
    const command = await startCommandApi(config, loggerFor('command-api'));
    services.push(command);

    const tokens: string[] = [];
    const token = async (userId: string, options: { expiresIn?: string } = {}) => {
      const issued = await signToken(userId, { secret: JWT_SECRET, ...options });
      tokens.push(issued);
      return issued;
    };
    const alice = await token('alice');

    // The journey: upload, wait for UPLOADED and the push, delete.
    const accepted = await fetch(`${command.url}/v1/videos?title=${TITLE}&fileName=${FILE_NAME}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${alice}`, 'content-type': 'video/mp4', 'idempotency-key': 'log-test-1' },
      body: await readFile(SAMPLE_VIDEO),
    });
    expect(accepted.status).toBe(202);
    const { videoId } = (await accepted.json()) as { videoId: string };
    await eventually(async () => {
      const response = await fetch(`${query.url}/v1/videos/${videoId}`, { headers: { authorization: `Bearer ${alice}` } });
      expect(((await response.json()) as { status?: string }).status).toBe('UPLOADED');
    }, 60_000, 100);
    await oneSignal.waitForRequests(1, 15_000);
    expect(oneSignal.requests[0]?.headers.authorization).toContain(ONESIGNAL_KEY);
    expect((await fetch(`${command.url}/v1/videos/${videoId}`, { method: 'DELETE', headers: { authorization: `Bearer ${alice}` } })).status).toBe(202);

    // What careless and hostile clients send.
    const expired = await token('alice', { expiresIn: '-1h' });
    const forged = await new SignJWT({ sub: 'mallory', exp: Math.floor(Date.now() / 1000) + 60 })
      .setProtectedHeader({ alg: 'HS256' })
      .sign(new TextEncoder().encode('not-the-secret-but-long-enough-0123456789'));
    tokens.push(forged);
    const requests: Array<[string, RequestInit]> = [
      [`${query.url}/v1/users/me/videos`, { headers: { authorization: `Bearer ${expired}` } }],
      [`${query.url}/v1/users/me/videos`, { headers: { authorization: `Bearer ${forged}` } }],
      [`${query.url}/v1/users/me/videos?access_token=${alice}`, {}],
      [`${command.url}/v1/videos/${videoId}?token=${alice}`, { method: 'DELETE', headers: { authorization: `Bearer ${alice}` } }],
      [`${command.url}/v1/nowhere`, { headers: { authorization: `Bearer ${alice}`, 'x-request-id': alice } }],
      [`${query.url}/v1/videos/not-a-uuid`, { headers: { authorization: `bearer ${alice}` } }],
      [`${command.url}/v1/videos?title=t&fileName=f.mp4`, { method: 'POST', headers: { authorization: `Bearer ${alice}`, 'content-type': 'video/mp4' }, body: 'not a video' }],
    ];
    for (const [url, init] of requests) await fetch(url, init);
    await eventually(() => expect(logs).toContain('"statusCode":415'));

    // The logs were written, and redaction had something to do.
    expect(logs).toContain('"msg":"configuration"');
    expect(logs).toContain('"msg":"request completed"');
    expect(logs).toContain('[redacted]');
    for (const issued of tokens) {
      expect(logs).not.toContain(issued);
      // Not even the signature alone (the part that makes a token usable).
      expect(logs).not.toContain(issued.split('.')[2]);
    }
    for (const secret of [JWT_SECRET, ONESIGNAL_KEY, DB_PASSWORD, S3_CREDENTIAL]) expect(logs).not.toContain(secret);
    // Nor the user's own words, which forget-user must be able to erase (the push did carry the title).
    expect(JSON.stringify(oneSignal.requests[0]?.body)).toContain(TITLE);
    for (const personal of [TITLE, FILE_NAME]) expect(logs).not.toContain(personal);
  }, 120_000);
});
