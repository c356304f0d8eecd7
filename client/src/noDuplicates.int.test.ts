import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { startCommandApi, type RunningCommandApi } from '@reelay/command-api';
import { PROJECT_ROOT, loadConfig, signToken } from '@reelay/platform';
import { createTestDatabase, startTcpProxy, testS3Endpoint, uniqueBucketName, uniqueName, type TcpProxy } from '@reelay/testing';
import { ReelayClient, type VideoId } from './index';

const SAMPLE = path.join(PROJECT_ROOT, 'system/fixtures/sample.mp4');
const SECRET = 'client-dedupe-int-secret-long-enough-for-hs256-0123';
const MiB = 1024 * 1024;
/** The creation request with the hash, its headers and a token: what a repeated upload may send. */
const CREATION_BYTES_AT_MOST = 2048;

async function videoOf(size: number): Promise<Buffer> {
  const sample = await readFile(SAMPLE);
  return Buffer.concat([sample, randomBytes(Math.max(0, size - sample.length))]).subarray(0, size);
}

/**
 * The SDK against the real command API (in this process: event store, tus on file staging,
 * content claims), every byte it sends counted by a TCP proxy. The whole-system version of
 * these journeys is noDuplicates.e2e.test.ts.
 */
describe('the SDK sends no byte of a video the user already has', () => {
  let api: RunningCommandApi;
  let proxy: TcpProxy;
  let commandApiUrl: string;
  let database: { url: string; drop(): Promise<void> };
  let stagingDir: string;
  const stream = uniqueName('DEDUPE');

  beforeAll(async () => {
    database = await createTestDatabase('reelay_dedupe');
    stagingDir = await mkdtemp(path.join(os.tmpdir(), 'reelay-dedupe-'));
    const config = loadConfig({
      DATABASE_URL: database.url,
      JOBS_STREAM: stream,
      HOST: '127.0.0.1',
      COMMAND_API_PORT: '0',
      STAGING: `file://${stagingDir}`,
      S3_ENDPOINT: testS3Endpoint(),
      S3_BUCKET: uniqueBucketName('reelay-dedupe'),
      AUTH_JWT_SECRET: SECRET,
      MAX_UPLOAD_BYTES: String(64 * MiB),
    });
    api = await startCommandApi(config, pino({ level: 'silent' }));
    const target = new URL(api.url);
    proxy = await startTcpProxy(target.hostname, Number(target.port));
    commandApiUrl = `http://${proxy.host}:${proxy.port}`;
  }, 60_000);
  afterAll(async () => {
    await proxy?.close();
    await api?.stop();
    await database?.drop();
    if (stagingDir) await rm(stagingDir, { recursive: true, force: true });
  });

  /** A fresh SDK instance with an empty fingerprint store: another phone, or the app reinstalled. */
  const freshClient = async (userId: string, url = commandApiUrl) => new ReelayClient({ commandApiUrl: url, queryApiUrl: 'http://query.invalid', token: await signToken(userId, { secret: SECRET }) });

  it('answers a renamed copy from another SDK instance with the same video, for the hash and a few headers', async () => {
    const video = await videoOf(4 * MiB);
    const first = await proxy.sentDuring(async () => (await freshClient('hana')).upload(video, { title: 'Beach', fileName: 'beach.mp4' }).done);
    expect(first.bytes).toBeGreaterThan(video.length);
    expect(first.result.duplicateOf).toBeUndefined();

    const again = await proxy.sentDuring(async () => (await freshClient('hana')).upload(video, { title: 'Beach (export)', fileName: 'IMG_0042.MOV' }).done);
    expect(again.result).toEqual({ videoId: first.result.videoId, uploadUrl: '', resumedFromBytes: undefined, duplicateOf: 'video' });
    expect(again.bytes).toBeLessThan(CREATION_BYTES_AT_MOST);
    console.info(`repeated upload of a ${video.length}-byte video sent ${again.bytes} bytes (first upload: ${first.bytes})`);
  }, 60_000);

  it('resumes, from a second device, the upload the first one left half done', async () => {
    const video = await videoOf(6 * MiB);
    // The first phone is on a slow network (2 MiB/s), so that it can be stopped part way.
    const target = new URL(api.url);
    const slow = await startTcpProxy(target.hostname, Number(target.port), { bytesPerSecond: 2 * MiB });
    let videoId: VideoId | undefined;
    let sentByPhone = 0;
    try {
      const phone = await freshClient('ivan', `http://${slow.host}:${slow.port}`);
      const paused = phone.upload(video, { title: 'Party', fileName: 'party.mp4', chunkSize: MiB, onVideoId: (id) => (videoId = id), onProgress: (p) => (sentByPhone = p.bytesSent) });
      while (sentByPhone < 2 * MiB) await new Promise((resolve) => setTimeout(resolve, 20));
      await paused.pause();
      await paused.done.catch(() => undefined);
    } finally {
      await slow.close();
    }

    let resumedAt: number | undefined;
    const tablet = await freshClient('ivan');
    const resumed = await proxy.sentDuring(() => tablet.upload(video, { title: 'Party', fileName: 'party (1).mp4', onResume: (offset) => (resumedAt = offset) }).done);
    expect(resumed.result.videoId).toBe(videoId);
    expect(resumed.result.duplicateOf).toBe('upload');
    expect(resumedAt).toBeGreaterThanOrEqual(MiB);
    // Only what the first device had not sent, plus requests' headers.
    expect(resumed.bytes).toBeLessThan(video.length - (resumedAt ?? 0) + 4 * CREATION_BYTES_AT_MOST);
    console.info(`resumed at ${resumedAt} of ${video.length} bytes; the second device sent ${resumed.bytes}`);
  }, 60_000);
});
