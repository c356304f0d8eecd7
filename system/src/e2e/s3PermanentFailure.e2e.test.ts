import { createHash } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { PROJECT_ROOT, signToken } from '@reelay/platform';
import {
  createTestDatabase,
  createTestS3Client,
  eventually,
  startS3FaultProxy,
  testS3Endpoint,
  uniqueBucketName,
  uniqueName,
  type S3FaultProxy,
} from '@reelay/platform/testing';
import { startOneSignalStandIn, type OneSignalStandIn } from '@reelay/notifier/testing';
import { startSystem, type RunningSystem } from './runningSystem';

const SECRET = 'e2e-secret-that-is-long-enough-for-hs256-0123456789';
const SAMPLE = path.join(PROJECT_ROOT, 'system/fixtures/sample.mp4');
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe('the whole system when S3 refuses access', () => {
  let system: RunningSystem;
  let oneSignal: OneSignalStandIn;
  let proxy: S3FaultProxy;
  let database: { url: string; drop(): Promise<void> };
  const stream = uniqueName('E2E_S3');
  const bucket = uniqueBucketName('reelay-e2e');
  const s3 = createTestS3Client();

  beforeAll(async () => {
    database = await createTestDatabase('reelay_e2e');
    oneSignal = await startOneSignalStandIn();
    proxy = await startS3FaultProxy(testS3Endpoint());
    system = await startSystem({
      DATABASE_URL: database.url,
      JOBS_STREAM: stream,
      S3_ENDPOINT: proxy.url,
      S3_BUCKET: bucket,
      S3_ACCESS_KEY_ID: 'S3RVER',
      S3_SECRET_ACCESS_KEY: 'S3RVER',
      ONESIGNAL_APP_ID: 'e2e-app',
      ONESIGNAL_API_KEY: 'e2e-key',
      ONESIGNAL_API_URL: oneSignal.url,
      AUTH_JWT_SECRET: SECRET,
      RATE_LIMIT_MAX: '100000',
    });
  }, 180_000);

  afterAll(async () => {
    const code = await system?.stop();
    await proxy?.close();
    await oneSignal?.close();
    await database?.drop();
    const nc = await connect({ servers: 'nats://127.0.0.1:4222' });
    await (await jetstreamManager(nc)).streams.delete(stream).catch(() => undefined);
    await nc.close();
    s3.destroy();
    expect(code).toBe(0);
  }, 60_000);

  it('ends the upload FAILED with the reason and one failure push, keeps the staged copy, and a retry after the fault is gone uploads it', async () => {
    proxy.inject({ fault: { kind: 'status', status: 403, code: 'AccessDenied', message: 'Access Denied' }, operations: ['UploadPart'] });
    const video = await readFile(SAMPLE);
    const auth = { authorization: `Bearer ${await signToken('alice', { secret: SECRET })}` };

    const accepted = await fetch(`${system.commandApi}/v1/videos?title=Holiday&fileName=holiday.mp4`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'video/mp4' },
      body: video,
    });
    expect(accepted.status).toBe(202);
    const { videoId } = (await accepted.json()) as { videoId: string };

    const failed = await eventually(async () => {
      const body = (await (await fetch(`${system.queryApi}/v1/videos/${videoId}`, { headers: auth })).json()) as { status: string; failureReason: string | null };
      expect(body.status).toBe('FAILED');
      return body;
    }, 60_000);
    expect(failed.failureReason).toMatch(/object storage refused access: .*Access Denied/);
    const pushesFor = () => oneSignal.notifications().filter((n) => (n.body.data as { videoId?: string }).videoId === videoId);
    await eventually(() => expect(pushesFor()).toHaveLength(1), 30_000);
    expect((pushesFor()[0]?.body.headings as { en: string }).en).toBe('Your video could not be uploaded');
    expect((await readdir(path.join(system.dataDir, 'staging'))).some((name) => name.startsWith(videoId))).toBe(true);

    proxy.clearFaults();
    const retried = await fetch(`${system.commandApi}/v1/videos/${videoId}/retry`, { method: 'POST', headers: auth });
    expect(retried.status).toBe(202);

    await eventually(async () => {
      const body = (await (await fetch(`${system.queryApi}/v1/videos/${videoId}`, { headers: auth })).json()) as { status: string };
      expect(body.status).toBe('UPLOADED');
    }, 60_000);
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: `videos/${videoId}` }));
    expect(sha256(await (object.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray())).toBe(sha256(video));
    await eventually(() => expect(pushesFor()).toHaveLength(2), 30_000);
    expect((pushesFor()[1]?.body.headings as { en: string }).en).toBe('Your video is ready');
  });
});
