import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { PROJECT_ROOT } from '@reelay/platform';
import { eventually, startTcpProxy, type TcpProxy } from '@reelay/testing';
import { readVideo, startTestSystem, type TestSystem } from '@reelay/system/testing';
import { ReelayClient, type VideoId, type VideoView } from './index';

const SAMPLE = path.join(PROJECT_ROOT, 'system/fixtures/sample.mp4');
const SECRET = 'client-dedupe-e2e-secret-long-enough-for-hs256-0123';
const MiB = 1024 * 1024;
/** The creation request with the hash, its headers and a token: what a repeated upload may send. */
const CREATION_BYTES_AT_MOST = 2048;

async function videoOf(size: number): Promise<Buffer> {
  const sample = await readFile(SAMPLE);
  return Buffer.concat([sample, randomBytes(Math.max(0, size - sample.length))]).subarray(0, size);
}

describe('the SDK never sends a video the user already has', () => {
  let sut: TestSystem;
  let proxy: TcpProxy;
  let commandApiUrl: string;

  beforeAll(async () => {
    sut = await startTestSystem({ secret: SECRET, env: { MAX_UPLOAD_BYTES: String(64 * MiB) } });
    const target = new URL(sut.system.commandApi);
    // Every byte any SDK instance sends to the command API goes through this counting proxy.
    proxy = await startTcpProxy(target.hostname, Number(target.port));
    commandApiUrl = `http://${proxy.host}:${proxy.port}`;
  }, 180_000);
  afterAll(async () => {
    await proxy?.close();
    expect(await sut?.dispose()).toBe(0);
  }, 60_000);

  /** A fresh SDK instance with an empty fingerprint store: another phone, or the app reinstalled. */
  const freshClient = async (userId: string) => new ReelayClient({ commandApiUrl, queryApiUrl: sut.system.queryApi, token: await sut.tokenFor(userId) });

  it('answers a renamed copy from another SDK instance with the same video, for the hash and a few headers', async () => {
    const video = await videoOf(4 * MiB);
    const first = await proxy.sentDuring(async () => (await freshClient('hana')).upload(video, { title: 'Beach', fileName: 'beach.mp4' }).done);
    expect(first.bytes).toBeGreaterThan(video.length);
    expect(first.result.duplicateOf).toBeUndefined();

    const again = await proxy.sentDuring(async () => (await freshClient('hana')).upload(video, { title: 'Beach (export)', fileName: 'IMG_0042.MOV' }).done);
    expect(again.result).toEqual({ videoId: first.result.videoId, uploadUrl: '', resumedFromBytes: undefined, duplicateOf: 'video' });
    expect(again.bytes).toBeLessThan(CREATION_BYTES_AT_MOST);
    console.info(`repeated upload of a ${video.length}-byte video sent ${again.bytes} bytes (first upload: ${first.bytes})`);

    const token = await sut.tokenFor('hana');
    const stored = await eventually(async () => {
      const view = await readVideo<VideoView>(sut.system, token, first.result.videoId);
      if (view?.status !== 'UPLOADED') throw new Error(`still ${view?.status}`);
      return view;
    }, 60_000);
    expect(stored.metaInfo.fileName).toBe('beach.mp4');
  }, 120_000);

  it('resumes, from a second device, the upload the first one left half done', async () => {
    const video = await videoOf(6 * MiB);
    // The first phone is on a slow network (1 MiB/s), so that it can be stopped half way.
    const target = new URL(sut.system.commandApi);
    const slow = await startTcpProxy(target.hostname, Number(target.port), { bytesPerSecond: MiB });
    let videoId: VideoId | undefined;
    try {
      const phone = new ReelayClient({ commandApiUrl: `http://${slow.host}:${slow.port}`, queryApiUrl: sut.system.queryApi, token: await sut.tokenFor('ivan') });
      const paused = phone.upload(video, { title: 'Party', fileName: 'party.mp4', chunkSize: MiB, onVideoId: (id) => (videoId = id) });
      await eventually(async () => {
        if (!videoId) throw new Error('not named yet');
      }, 30_000);
      await waitForServerOffset(sut, await sut.tokenFor('ivan'), videoId as string, 2 * MiB);
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
    expect(resumedAt).toBeGreaterThanOrEqual(2 * MiB);
    // Only what the first device had not sent, plus requests' headers.
    expect(resumed.bytes).toBeLessThan(video.length - (resumedAt ?? 0) + 4 * CREATION_BYTES_AT_MOST);
    console.info(`resumed at ${resumedAt} of ${video.length} bytes; the second device sent ${resumed.bytes}`);
  }, 120_000);

  it('gives another user with the same content a video of their own', async () => {
    const video = await videoOf(MiB);
    const mine = await (await freshClient('jill')).upload(video, { title: 'x', fileName: 'x.mp4' }).done;
    const theirs = await proxy.sentDuring(async () => (await freshClient('kurt')).upload(video, { title: 'x', fileName: 'x.mp4' }).done);
    expect(theirs.result.videoId).not.toBe(mine.videoId);
    expect(theirs.result.duplicateOf).toBeUndefined();
    expect(theirs.bytes).toBeGreaterThan(video.length);
  }, 120_000);
});

/** Until the intake progress shows `atLeast` bytes of the video received (the query API reads it). */
async function waitForServerOffset(sut: TestSystem, token: string, videoId: string, atLeast: number): Promise<void> {
  await eventually(async () => {
    const view = await readVideo<VideoView>(sut.system, token, videoId);
    if ((view?.progress.receivedBytes ?? 0) < atLeast) throw new Error(`received ${view?.progress.receivedBytes ?? 0}`);
  }, 60_000);
}
