import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { createHash, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { PROJECT_ROOT } from '@reelay/platform';
import { createTestS3Client, eventually, startTcpProxy, type TcpProxy } from '@reelay/testing';
import { startTestSystem, type TestSystem } from '@reelay/system/testing';
import { ReelayClient, keyValueUrlStorage, type KeyValueStore, type UploadProgress } from './index';

const SAMPLE = path.join(PROJECT_ROOT, 'system/fixtures/sample.mp4');
const SECRET = 'client-upload-e2e-secret-long-enough-for-hs256-0123';
const MiB = 1024 * 1024;

/** A store that outlives the client object, as AsyncStorage outlives an app process. */
function persistentStore(): KeyValueStore & { values: Map<string, string> } {
  const values = new Map<string, string>();
  return { values, getItem: async (k) => values.get(k) ?? null, setItem: async (k, v) => void values.set(k, v), removeItem: async (k) => void values.delete(k) };
}

/** A video of `size` bytes: the sample's real MP4 header, then random bytes (the server checks the first bytes). */
async function videoOf(size: number): Promise<Buffer> {
  const sample = await readFile(SAMPLE);
  return Buffer.concat([sample, randomBytes(Math.max(0, size - sample.length))]).subarray(0, size);
}

describe('the SDK uploading over tus to the running system', () => {
  let sut: TestSystem;
  const s3 = createTestS3Client();

  beforeAll(async () => {
    sut = await startTestSystem({ secret: SECRET, env: { MAX_UPLOAD_BYTES: String(200 * MiB) } });
  }, 180_000);

  afterAll(async () => {
    s3.destroy();
    expect(await sut?.dispose()).toBe(0);
  }, 60_000);

  async function storedSha256(videoId: string): Promise<string> {
    const object = await s3.send(new GetObjectCommand({ Bucket: sut.bucket, Key: `videos/${videoId}` }));
    const hash = createHash('sha256');
    for await (const chunk of object.Body as AsyncIterable<Buffer>) hash.update(chunk);
    return hash.digest('hex');
  }

  const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

  it('uploads a video, names it, and follows it to UPLOADED with the bytes intact', async () => {
    const client = new ReelayClient({ commandApiUrl: sut.system.commandApi, queryApiUrl: sut.system.queryApi, token: await sut.tokenFor('erin') });
    const video = await readFile(SAMPLE);
    const progress: UploadProgress[] = [];
    let namedAt: number | undefined;
    const { videoId, resumedFromBytes } = await client.upload(video, {
      title: 'Sample',
      fileName: 'sample.mp4',
      onVideoId: () => (namedAt = progress.length),
      onProgress: (p) => progress.push(p),
    }).done;
    expect(resumedFromBytes).toBeUndefined();
    // Named by the creation, before a byte of the video was sent.
    expect(namedAt).toBeDefined();
    expect(progress.slice(0, namedAt).every((p) => p.bytesSent === 0)).toBe(true);
    expect(progress[progress.length - 1]).toEqual({ bytesSent: video.length, bytesTotal: video.length });

    const { video: final } = await client.followVideo(videoId).done;
    expect(final).toMatchObject({ status: 'UPLOADED', metaInfo: { title: 'Sample', fileName: 'sample.mp4', sizeBytes: video.length } });
    expect(await storedSha256(videoId)).toBe(sha256(video));
  });

  it('resumes a 50 MiB upload cut at 60% after an app restart, re-sending only what the server had not got', async () => {
    const video = await videoOf(50 * MiB);
    const store = persistentStore();
    const token = await sut.tokenFor('frank');
    const target = new URL(sut.system.commandApi);
    // The network fails once 60 % of the video has reached the server: the proxy counts the bytes
    // (the app's progress events come late under load, and a cut they trigger could miss the upload).
    const proxy: TcpProxy = await startTcpProxy(target.hostname, Number(target.port), { cutOnceAtBytesUp: Math.round(0.6 * video.length) });
    try {
      // First run of the app: the connection is cut at 60%, and the app dies (no retries).
      const before = new ReelayClient({ commandApiUrl: `http://${proxy.host}:${proxy.port}`, queryApiUrl: sut.system.queryApi, token, urlStorage: keyValueUrlStorage(store), fingerprintScope: 'frank' });
      const sentBeforeCut = Math.round(0.6 * video.length);
      const first = before.upload(video, { title: 'Long one', fileName: 'long.mp4', retryDelays: [] });
      await expect(first.done).rejects.toThrow();
      expect(proxy.wasCut()).toBe(true);
      expect(store.values.size).toBe(1); // the upload's URL, remembered under the file's fingerprint

      // The app starts again: a new client over the same storage, handed the same file (and the
      // same server address, which is part of the file's fingerprint: the proxy takes new connections).
      const after = new ReelayClient({ commandApiUrl: `http://${proxy.host}:${proxy.port}`, queryApiUrl: sut.system.queryApi, token, urlStorage: keyValueUrlStorage(store), fingerprintScope: 'frank' });
      let sentAfterResume = 0;
      let offsetAtResume: number | undefined;
      let namedEarly: string | undefined;
      const second = after.upload(video, {
        title: 'Long one',
        fileName: 'long.mp4',
        onVideoId: (id) => (namedEarly = id),
        onResume: (offset) => (offsetAtResume = offset),
        onProgress: ({ bytesSent }) => (sentAfterResume = Math.max(sentAfterResume, bytesSent)),
      });
      const { videoId, resumedFromBytes } = await second.done;
      expect(resumedFromBytes).toBe(offsetAtResume);
      expect(namedEarly).toBe(videoId);
      const offset = resumedFromBytes as number;
      // The server kept everything it received; only what was in flight at the cut is sent twice.
      expect(offset).toBeGreaterThan(0.5 * video.length);
      expect(offset).toBeLessThanOrEqual(sentBeforeCut);
      const resent = sentBeforeCut - offset;
      const transmitted = sentBeforeCut + (video.length - offset);
      console.log(
        `50 MiB upload cut at ${((100 * sentBeforeCut) / video.length).toFixed(1)}% sent: the server had ${offset} bytes ` +
          `(${((100 * offset) / video.length).toFixed(1)}%); re-sent ${resent} bytes (${((100 * resent) / video.length).toFixed(2)}% of the file); ` +
          `${transmitted} bytes sent in all for ${video.length} (${(transmitted / video.length).toFixed(3)}×)`,
      );
      // Forgotten once finished (tus-js-client removes it without waiting).
      await eventually(() => expect(store.values.get('reelay:uploads')).toBe('{}'));

      const { video: final } = await after.followVideo(videoId).done;
      expect(final).toMatchObject({ status: 'UPLOADED', metaInfo: { sizeBytes: video.length } });
      expect(await storedSha256(videoId)).toBe(sha256(video));
    } finally {
      await proxy.close();
    }
  });

  it('refuses a file that is not a video with the problem the command API gave', async () => {
    const client = new ReelayClient({ commandApiUrl: sut.system.commandApi, queryApiUrl: sut.system.queryApi, token: await sut.tokenFor('gina') });
    const error = await client.upload(Buffer.from('just some text, not a video at all'), { title: 'Text', fileName: 'notes.txt', retryDelays: [] }).done.catch((e: unknown) => e);
    expect(String(error)).toMatch(/415|not a video/);
  });
});
