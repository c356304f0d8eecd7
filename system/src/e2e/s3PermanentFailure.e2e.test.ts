import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { createHash } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { PROJECT_ROOT } from '@reelay/platform';
import { createTestS3Client, eventually, startS3FaultProxy, testS3Endpoint, type S3FaultProxy } from '@reelay/testing';
import type { OneSignalStandIn } from '@reelay/notifier/testing';
import { postVideo, readVideo, startTestSystem, type RunningSystem, type TestSystem } from '../testing';

const SECRET = 'e2e-secret-that-is-long-enough-for-hs256-0123456789';
const SAMPLE = path.join(PROJECT_ROOT, 'system/fixtures/sample.mp4');
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe('the whole system when S3 refuses access', () => {
  let sut: TestSystem;
  let system: RunningSystem;
  let oneSignal: OneSignalStandIn;
  let proxy: S3FaultProxy;
  const s3 = createTestS3Client();

  beforeAll(async () => {
    proxy = await startS3FaultProxy(testS3Endpoint());
    sut = await startTestSystem({ oneSignal: true, secret: SECRET, s3Endpoint: proxy.url });
    ({ system } = sut);
    oneSignal = sut.oneSignal!;
  }, 180_000);

  afterAll(async () => {
    const code = await sut?.dispose();
    await proxy?.close();
    s3.destroy();
    expect(code).toBe(0);
  }, 60_000);

  it('ends the upload FAILED with the reason and one failure push, keeps the staged copy, and a retry after the fault is gone uploads it', async () => {
    proxy.inject({ fault: { kind: 'status', status: 403, code: 'AccessDenied', message: 'Access Denied' }, operations: ['UploadPart'] });
    const video = await readFile(SAMPLE);
    const token = await sut.tokenFor('alice');
    const auth = { authorization: `Bearer ${token}` };

    const accepted = await postVideo(system, token, video, { title: 'Holiday', fileName: 'holiday.mp4' });
    expect(accepted.status).toBe(202);
    const { videoId } = (await accepted.json()) as { videoId: string };

    const failed = await eventually(async () => {
      const body = await readVideo<{ status: string; failureReason: string | null }>(system, token, videoId);
      expect(body?.status).toBe('FAILED');
      return body!;
    }, 60_000);
    expect(failed.failureReason).toMatch(/object storage refused access: .*Access Denied/);
    const pushesFor = () => oneSignal.notifications().filter((n) => (n.body.data as { videoId?: string }).videoId === videoId);
    await eventually(() => expect(pushesFor()).toHaveLength(1), 30_000);
    expect(pushesFor()[0]?.body.headings).toMatchObject({ en: 'Your video could not be uploaded' });
    expect((await readdir(path.join(system.dataDir, 'staging'))).some((name) => name.startsWith(videoId))).toBe(true);

    proxy.clearFaults();
    const retried = await fetch(`${system.commandApi}/v1/videos/${videoId}/retry`, { method: 'POST', headers: auth });
    expect(retried.status).toBe(202);

    await eventually(async () => {
      expect((await readVideo(system, token, videoId))?.status).toBe('UPLOADED');
    }, 60_000);
    const object = await s3.send(new GetObjectCommand({ Bucket: sut.bucket, Key: `videos/${videoId}` }));
    expect(sha256(await (object.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray())).toBe(sha256(video));
    await eventually(() => expect(pushesFor()).toHaveLength(2), 30_000);
    expect(pushesFor()[1]?.body.headings).toMatchObject({ en: 'Your video is ready' });
  });
});
