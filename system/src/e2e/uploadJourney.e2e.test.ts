import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { createHash } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { PROJECT_ROOT } from '@reelay/platform';
import { createTestS3Client, eventually } from '@reelay/testing';
import type { OneSignalStandIn } from '@reelay/notifier/testing';
import { postVideo, startTestSystem, type RunningSystem, type TestSystem } from '../testing';

const SECRET = 'e2e-secret-that-is-long-enough-for-hs256-0123456789';
const SAMPLE = path.join(PROJECT_ROOT, 'system/fixtures/sample.mp4');

describe('the whole system, driven over HTTP as the mobile app drives it', () => {
  let sut: TestSystem;
  let system: RunningSystem;
  let oneSignal: OneSignalStandIn;
  const s3 = createTestS3Client();

  beforeAll(async () => {
    // S3 slowed to ~1 MB/s so that the upload is in flight long enough to be seen LOADING.
    sut = await startTestSystem({ oneSignal: true, secret: SECRET, s3BytesPerSecond: 1_000_000 });
    ({ system } = sut);
    oneSignal = sut.oneSignal!;
  }, 180_000);

  afterAll(async () => {
    const code = await sut?.dispose();
    s3.destroy();
    expect(code).toBe(0);
  }, 60_000);

  it('takes a video, stores it byte for byte, pushes once, and deletes it', async () => {
    const video = await readFile(SAMPLE);
    const token = await sut.tokenFor('alice');
    const auth = { authorization: `Bearer ${token}` };

    const accepted = await postVideo(system, token, video, { title: 'Holiday', fileName: 'holiday.mp4' });
    expect(accepted.status).toBe(202);
    const { videoId, status } = (await accepted.json()) as { videoId: string; status: string };
    expect(status).toBe('PENDING');
    const location = accepted.headers.get('location');
    expect(location).toBe(`${system.queryApi}/v1/videos/${videoId}`);

    // Poll as the app does, remembering every status seen, until a terminal one.
    const seen: string[] = ['PENDING'];
    const final = await eventually(async () => {
      const response = await fetch(location as string, { headers: auth });
      if (response.status === 404) throw new Error('not in the read model yet'); // the projector's lag, as API.md allows
      const body = (await response.json()) as { status: string; uploadedPercentage: number; metaInfo: { sizeBytes: number; uploadedAt: string | null } };
      if (seen[seen.length - 1] !== body.status) seen.push(body.status);
      if (!['UPLOADED', 'FAILED'].includes(body.status)) throw new Error(`still ${body.status}`);
      return body;
    }, 60_000, 50);
    expect(seen).toEqual(['PENDING', 'LOADING', 'UPLOADED']);
    expect(final.uploadedPercentage).toBe(100);
    expect(final.metaInfo.sizeBytes).toBe(video.length);
    expect(final.metaInfo.uploadedAt).not.toBeNull();

    const object = await s3.send(new GetObjectCommand({ Bucket: sut.bucket, Key: `videos/${videoId}` }));
    const stored = Buffer.from(await (object.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray());
    expect(createHash('sha256').update(stored).digest('hex')).toBe(createHash('sha256').update(video).digest('hex'));

    // Exactly one push, to the right user, and no second one a while later.
    await oneSignal.waitForRequests(1, 15_000);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(oneSignal.uniqueNotifications()).toBe(1);
    const push = oneSignal.requests[0]?.body as { include_aliases: { external_id: string[] }; data: { videoId: string } };
    expect(push.include_aliases.external_id).toEqual(['alice']);
    expect(push.data.videoId).toBe(videoId);

    // The staged copy is gone once the video is stored.
    // (`.tus` is the folder of resumable uploads, empty here.)
    expect((await readdir(path.join(system.dataDir, 'staging')).catch(() => [])).filter((name) => name !== '.tus')).toEqual([]);
    expect(await readdir(path.join(system.dataDir, 'staging', '.tus')).catch(() => [])).toEqual([]);

    const listed = await fetch(`${system.queryApi}/v1/users/me/videos`, { headers: auth });
    expect(((await listed.json()) as { videos: { videoId: string }[] }).videos.map((v) => v.videoId)).toEqual([videoId]);

    const otherUser = { authorization: `Bearer ${await sut.tokenFor('mallory')}` };
    expect((await fetch(location as string, { headers: otherUser })).status).toBe(404);
    expect((await fetch(`${system.commandApi}/v1/videos/${videoId}`, { method: 'DELETE', headers: otherUser })).status).toBe(404);

    const deleted = await fetch(`${system.commandApi}/v1/videos/${videoId}`, { method: 'DELETE', headers: auth });
    expect(deleted.status).toBe(202);
    expect(await deleted.json()).toEqual({ videoId, status: 'DELETED' });
    await eventually(async () => {
      const body = (await (await fetch(location as string, { headers: auth })).json()) as { status: string };
      expect(body.status).toBe('DELETED');
    }, 60_000, 50);
    await eventually(async () => {
      await expect(s3.send(new HeadObjectCommand({ Bucket: sut.bucket, Key: `videos/${videoId}` }))).rejects.toThrow();
    }, 60_000, 50);
    // A completed video gets one push; deleting it sends none.
    expect(oneSignal.uniqueNotifications()).toBe(1);
  }, 120_000);
});
