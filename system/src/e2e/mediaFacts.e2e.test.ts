import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { VideoView } from '@reelay/contracts';
import { eventually, ffmpegAvailable, ffprobeFacts, makeTestVideos } from '@reelay/testing';
import { readVideo, startTestSystem, type TestSystem } from '../testing';

const CONTENT_TYPES = { mp4: 'video/mp4', mov: 'video/quicktime', webm: 'video/webm' } as const;

describe('media facts of uploaded videos, through the whole system', () => {
  let sut: TestSystem;
  let dir: string;
  let videos: Awaited<ReturnType<typeof makeTestVideos>>;
  let available = false;

  beforeAll(async () => {
    available = await ffmpegAvailable();
    if (!available) {
      console.warn('SKIPPED: ffmpeg/ffprobe are not installed (.ci/run installs them)');
      return;
    }
    dir = await mkdtemp(path.join(os.tmpdir(), 'reelay-media-e2e-'));
    videos = await makeTestVideos(dir);
    sut = await startTestSystem();
  }, 180_000);
  afterAll(async () => {
    await sut?.dispose();
    if (dir) await rm(dir, { recursive: true, force: true });
  }, 60_000);

  async function upload(token: string, bytes: Uint8Array, contentType: string, fileName: string): Promise<string> {
    const response = await fetch(`${sut.system.commandApi}/v1/videos?title=clip&fileName=${fileName}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': contentType },
      body: bytes,
    });
    expect(response.status).toBe(202);
    return ((await response.json()) as { videoId: string }).videoId;
  }

  const settled = (token: string, videoId: string) =>
    eventually(async () => {
      const video = await readVideo<VideoView>(sut.system, token, videoId);
      if (video?.metaInfo.mediaProbe === 'pending' || !video) throw new Error(`video ${videoId} not probed yet (${video?.status})`);
      return video;
    }, 60_000);

  it.each(['mp4', 'mov', 'webm'] as const)('serves the facts ffprobe reports for an uploaded %s', async (kind) => {
    if (!available) return;
    const token = await sut.tokenFor('media-user');
    const videoId = await upload(token, await readFile(videos[kind]), CONTENT_TYPES[kind], `clip.${kind}`);
    const video = await settled(token, videoId);
    const expected = await ffprobeFacts(videos[kind]);
    expect(video.status).toBe('UPLOADED');
    expect(video.metaInfo.mediaProbe).toBe('probed');
    expect(expected.formatNames).toContain(video.metaInfo.media?.container);
    expect(video.metaInfo.media).toEqual({
      container: video.metaInfo.media?.container,
      durationMs: expected.durationMs,
      width: expected.width,
      height: expected.height,
      rotation: expected.rotation,
      frameRate: expected.frameRate,
      videoCodec: expected.videoCodec,
      audioCodec: expected.audioCodec,
    });
  }, 90_000);

  it('keeps a video whose container cannot be read UPLOADED, with the probe marked failed', async () => {
    if (!available) return;
    const token = await sut.tokenFor('media-user');
    // Sniffs as MP4 (an ftyp box), so the command API takes it, but holds no movie.
    const ftyp = Buffer.concat([Buffer.from([0, 0, 0, 0x20]), Buffer.from('ftypisom\0\0\x02\0isomiso2avc1mp41', 'latin1')]);
    const videoId = await upload(token, Buffer.concat([ftyp, randomBytes(200_000)]), 'video/mp4', 'broken.mp4');
    const video = await settled(token, videoId);
    expect(video.status).toBe('UPLOADED');
    expect(video.metaInfo).toMatchObject({ mediaProbe: 'failed', media: null });
  }, 90_000);
});
