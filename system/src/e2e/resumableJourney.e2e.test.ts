import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { createHash } from 'node:crypto';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import * as tus from 'tus-js-client';
import { createTestS3Client, emptyAndDeleteBucket, startThrottlingProxy, syntheticVideo, uniqueBucketName } from '@reelay/testing';
import { startTestSystem, type RunningSystem, type TestSystem } from '../testing';

const SECRET = 'e2e-secret-that-is-long-enough-for-hs256-0123456789';

describe('a resumable upload through the whole system, staged on S3', () => {
  let sut: TestSystem;
  let system: RunningSystem;
  const stagingBucket = uniqueBucketName('reelay-e2e-staging');
  const s3 = createTestS3Client();

  beforeAll(async () => {
    sut = await startTestSystem({ secret: SECRET, env: { STAGING: `s3://${stagingBucket}/staging` } });
    ({ system } = sut);
  }, 180_000);

  afterAll(async () => {
    const code = await sut?.dispose();
    for (const name of [sut?.bucket, stagingBucket]) if (name) await emptyAndDeleteBucket(s3, name).catch(() => undefined);
    s3.destroy();
    expect(code).toBe(0);
  }, 60_000);

  it('survives a cut at 60%, shows receiving then storing progress, and ends UPLOADED byte for byte', async () => {
    const video = syntheticVideo(8 * 1024 * 1024);
    const token = await sut.tokenFor('alice');
    const auth = { authorization: `Bearer ${token}` };
    // A slow phone: about 2 MB/s towards the command API, so the bytes are seen arriving.
    const phone = await startThrottlingProxy(system.commandApi, { bytesPerSecond: 2_000_000 });
    let videoId = '';
    let cut = false;
    const phases: string[] = [];
    const percentages: number[] = [];
    try {
      const uploaded = new Promise<void>((resolve, reject) => {
        new tus.Upload(video, {
          endpoint: `${phone.url}/v1/uploads`,
          headers: auth,
          metadata: { title: 'Tunnel', filename: 'tunnel.mp4', filetype: 'video/mp4' },
          retryDelays: [0, 200, 500, 1000],
          onProgress(bytesSent) {
            if (!cut && bytesSent >= video.length * 0.6) {
              cut = true;
              phone.dropConnections();
            }
          },
          onAfterResponse(_request, response) {
            videoId ||= response.getHeader('Reelay-Video-Id') ?? '';
          },
          onSuccess: () => resolve(),
          onError: reject,
        }).start();
      });
      let finished = false;
      void uploaded.then(() => (finished = true), () => (finished = true));
      // Poll the query API as the app would, from the moment the video id is known.
      for (let final = false; !final; ) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        if (!videoId) continue;
        const response = await fetch(`${system.queryApi}/v1/videos/${videoId}`, { headers: auth });
        if (response.status === 404) continue;
        const body = (await response.json()) as { status: string; progress: { phase: string; percentage: number | null } };
        if (phases[phases.length - 1] !== body.progress.phase) phases.push(body.progress.phase);
        if (body.progress.phase === 'receiving' && body.progress.percentage !== null) percentages.push(body.progress.percentage);
        final = finished && ['UPLOADED', 'FAILED'].includes(body.status);
      }
      await uploaded;
    } finally {
      await phone.close();
    }

    expect(cut).toBe(true);
    expect(phases[0]).toBe('receiving');
    expect(phases[phases.length - 1]).toBe('done');
    expect(percentages.some((p) => p > 0 && p < 100)).toBe(true);
    const object = await s3.send(new GetObjectCommand({ Bucket: sut.bucket, Key: `videos/${videoId}` }));
    const stored = Buffer.from(await (object.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray());
    expect(createHash('sha256').update(stored).digest('hex')).toBe(createHash('sha256').update(video).digest('hex'));
    // The staged copy is gone once stored; only the tus record stays until it expires.
    const staged = await s3.send(new ListObjectsV2Command({ Bucket: stagingBucket, Prefix: 'staging/' }));
    expect((staged.Contents ?? []).map((o) => o.Key).filter((key) => !key?.endsWith('.info'))).toEqual([]);
  }, 120_000);
});
