import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ffmpegAvailable, ffprobeFacts, makeTestVideos, padMp4WithMoovAtEnd } from '@reelay/testing';
import { MediaProber } from './readMediaFacts';
import { fileRangeSource } from './rangeSources';
import { UnreadableContainer } from './mediaFacts';

const GiB = 1024 ** 3;

describe('reading a video container without decoding it', () => {
  let dir: string;
  let videos: Awaited<ReturnType<typeof makeTestVideos>>;
  let available = false;
  const prober = new MediaProber();

  beforeAll(async () => {
    available = await ffmpegAvailable();
    if (!available) {
      console.warn('SKIPPED: ffmpeg/ffprobe are not installed (.ci/run installs them)');
      return;
    }
    dir = await mkdtemp(path.join(os.tmpdir(), 'reelay-probe-'));
    videos = await makeTestVideos(dir);
  }, 60_000);
  afterAll(async () => {
    prober.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const probeFile = async (file: string) => {
    const source = await fileRangeSource(file);
    try {
      return await prober.probe(source);
    } finally {
      await source.close();
    }
  };

  it.each(['mp4', 'mov', 'webm'] as const)('finds in a %s file the facts ffprobe reports', async (kind) => {
    if (!available) return;
    const { facts } = await probeFile(videos[kind]);
    const expected = await ffprobeFacts(videos[kind]);
    expect(expected.formatNames).toContain(facts.container);
    expect(facts).toEqual({
      container: { mp4: 'mp4', mov: 'mov', webm: 'webm' }[kind],
      durationMs: expected.durationMs,
      width: expected.width,
      height: expected.height,
      rotation: expected.rotation,
      frameRate: expected.frameRate,
      videoCodec: expected.videoCodec,
      audioCodec: expected.audioCodec,
    });
  });

  it('sees the turn of a portrait QuickTime file', async () => {
    if (!available) return;
    expect((await probeFile(videos.mov)).facts.rotation).not.toBe(0);
  });

  it('reads well under a MiB of a 4 GiB MP4 whose moov atom is at the end', async () => {
    if (!available) return;
    const big = path.join(dir, 'big.mp4');
    await padMp4WithMoovAtEnd(videos.mp4, big, 4 * GiB - 4096);
    const outcome = await probeFile(big);
    expect(outcome.facts).toEqual((await probeFile(videos.mp4)).facts);
    expect(outcome.bytesRead).toBeLessThan(1024 * 1024);
  }, 30_000);

  it('refuses bytes that are no container as unreadable, not as a crash', async () => {
    if (!available) return;
    const noise = path.join(dir, 'noise.mp4');
    await writeFile(noise, randomBytes(300_000));
    await expect(probeFile(noise)).rejects.toBeInstanceOf(UnreadableContainer);
  });
});
