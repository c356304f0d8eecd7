import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { createTestDatabase, createTestS3Client, emptyAndDeleteBucket, eventually, haveTuspy, runTuspy, stagingKindsUnderTest, syntheticVideo, testS3Endpoint, uniqueBucketName } from '@reelay/testing';
import { startChaosSystem, type ChaosSystem } from '../chaos/chaosSystem';

const KiB = 1024;
const MiB = 1024 * KiB;
const CHUNK = 64 * KiB;
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

const tuspyHere = haveTuspy();
if (!tuspyHere) process.stderr.write('SKIPPED: the tuspy journey needs python3-tuspy for /usr/bin/python3 (apt-get install python3-tuspy); .ci/run installs it\n');
const describeWithTuspy = tuspyHere ? describe : describe.skip;

/**
 * A phone on tuspy whose command API dies between two chunks: the app makes a new client object
 * with the upload's URL against the restarted process (tuspy HEADs it and goes on from there),
 * and the video goes the whole way to UPLOADED, byte for byte, the bytes sent once.
 */
describeWithTuspy.each(stagingKindsUnderTest())('a tuspy upload through the whole system on %s staging, its command API killed between chunks', (stagingKind) => {
  let system: ChaosSystem;
  let dropDatabase: () => Promise<void>;
  let folder: string;
  const s3 = createTestS3Client();
  const stagingBucket = uniqueBucketName('reelay-tuspy-staging');

  beforeAll(async () => {
    const database = await createTestDatabase('reelay_tuspy');
    dropDatabase = () => database.drop();
    folder = await mkdtemp(path.join(os.tmpdir(), 'reelay-tuspy-e2e-'));
    system = await startChaosSystem({
      databaseUrl: database.url,
      natsUrl: process.env.TEST_NATS_URL ?? 'nats://127.0.0.1:4222',
      s3Endpoint: testS3Endpoint(),
      env: { LOG_LEVEL: 'warn', ...(stagingKind === 's3' ? { STAGING: `s3://${stagingBucket}/staging` } : {}) },
    });
  }, 180_000);

  afterAll(async () => {
    await system?.stop();
    await dropDatabase?.();
    if (folder) await rm(folder, { recursive: true, force: true });
    for (const bucket of [system?.bucket, stagingBucket]) if (bucket) await emptyAndDeleteBucket(s3, bucket).catch(() => undefined);
    s3.destroy();
  }, 60_000);

  it('resumes by URL against the restarted process and ends UPLOADED byte for byte', async () => {
    const video = syntheticVideo(3 * MiB + 333);
    const file = path.join(folder, 'ferry.mp4');
    await writeFile(file, video);
    const token = await system.token('alice');
    const upload = { endpoint: `${system.commandApi}/v1/uploads`, token, file, chunkSize: CHUNK, metadata: { title: 'Ferry', filename: 'ferry.mp4', filetype: 'video/mp4' } };

    const before = await runTuspy({ ...upload, stopAt: 20 * CHUNK });
    expect(before.error).toBeUndefined();
    expect(before.offset).toBe(20 * CHUNK);
    await system.service('command-api').kill();
    // While it is down the app cannot even ask: tuspy's HEAD fails to connect.
    const whileDown = await runTuspy({ ...upload, url: before.url ?? '' });
    expect({ error: whileDown.error?.message, offset: whileDown.offset, sent: whileDown.bytesSent }).toEqual({ error: expect.stringMatching(/connect|refused/i), offset: null, sent: 0 });
    await system.start('command-api');

    const after = await runTuspy({ ...upload, url: before.url ?? '' });

    expect(after.error).toBeUndefined();
    expect({ startedAt: after.startedAt, offset: after.offset, bytesSent: before.bytesSent + after.bytesSent }).toEqual({ startedAt: 20 * CHUNK, offset: video.length, bytesSent: video.length });
    const videoId = after.videoId ?? '';
    expect(videoId).toMatch(/^[0-9a-f-]{36}$/);
    const auth = { authorization: `Bearer ${token}` };
    const status = await eventually(async () => {
      const response = await fetch(`${system.queryApi}/v1/videos/${videoId}`, { headers: auth });
      const body = response.status === 200 ? ((await response.json()) as { status: string }) : undefined;
      expect(body?.status).toMatch(/^(UPLOADED|FAILED)$/);
      return body?.status;
    }, 90_000, 200);
    expect(status).toBe('UPLOADED');
    const object = await s3.send(new GetObjectCommand({ Bucket: system.bucket, Key: `videos/${videoId}` }));
    expect(sha256(await object.Body!.transformToByteArray())).toBe(sha256(video));
    // A phone that lost the last answer asks again: still complete, and the same video.
    const head = await fetch(before.url ?? '', { method: 'HEAD', headers: { ...auth, 'tus-resumable': '1.0.0' } });
    expect({ status: head.status, offset: head.headers.get('upload-offset'), videoId: head.headers.get('reelay-video-id') }).toEqual({ status: 200, offset: String(video.length), videoId });
  }, 240_000);
});
