import { describe, it, expect, beforeAll, afterAll, jest } from '@jest/globals';
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { asVideoEvent } from '@reelay/contracts';
import { haveTuspy, runTuspy, stagingKindsUnderTest, syntheticVideo, type TuspyRun } from '@reelay/testing';
import { startTestCommandApi } from '../testing';

type Api = Awaited<ReturnType<typeof startTestCommandApi>>;

// Hundreds of requests per case, and S3 staging's `.part` rewritten by each small PATCH.
jest.setTimeout(300_000);

const KiB = 1024;
const MiB = 1024 * KiB;
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const METADATA = { title: 'Harbour at dusk', filename: 'harbour.mp4', filetype: 'video/mp4' };

const tuspyHere = haveTuspy();
if (!tuspyHere) process.stderr.write('SKIPPED: the tuspy conformance suite needs python3-tuspy for /usr/bin/python3 (apt-get install python3-tuspy); .ci/run installs it\n');
const describeWithTuspy = tuspyHere ? describe : describe.skip;

/**
 * Chunk sizes as tuspy users pick them: its README's 200 bytes, 4 KiB, 64 KiB and 5 MiB (S3's
 * smallest part). Every small chunk costs S3 staging 21–23 S3 requests and a read and a write
 * of the growing incomplete part (0.8 s a PATCH on the Ceph gateway), so on S3 the 4 KiB and 64 KiB
 * cases send 17 PATCHes each, all below the first 5 MiB part (where S3 staging treats them
 * alike); file staging sends the issue's 2.6 MB in 4 KiB chunks.
 */
const CASES = {
  file: [
    { chunk: 200, size: 8 * KiB + 7 },
    { chunk: 4 * KiB, size: 2_600_000 },
    { chunk: 64 * KiB, size: 3 * MiB + 5 },
    { chunk: 5 * MiB, size: 12 * MiB + 3 },
  ],
  s3: [
    { chunk: 200, size: 8 * KiB + 7 },
    { chunk: 4 * KiB, size: 64 * KiB + 7 },
    { chunk: 64 * KiB, size: 1 * MiB + 5 },
    { chunk: 5 * MiB, size: 12 * MiB + 3 },
  ],
} as const;

describeWithTuspy.each(stagingKindsUnderTest())('tuspy (python3-tuspy) against /v1/uploads on %s staging', (stagingKind) => {
  let api: Api;
  let folder: string;
  let token: string;
  beforeAll(async () => {
    // Production's rate limit: an upload's chunks must not run into it.
    api = await startTestCommandApi({ maxUploadBytes: 64 * MiB, stagingKind, limits: { rateLimit: { max: 600, windowMs: 60_000 } } });
    token = await api.tokenFor('alice');
    folder = await mkdtemp(path.join(os.tmpdir(), 'reelay-tuspy-'));
  });
  afterAll(async () => {
    await api?.dispose();
    if (folder) await rm(folder, { recursive: true, force: true });
  });

  const videoFile = async (size: number) => {
    const video = syntheticVideo(size);
    const file = path.join(folder, `video-${size}.mp4`);
    await writeFile(file, video);
    return { video, file };
  };
  const tuspy = (file: string, chunkSize: number, more: { url?: string; stopAt?: number } = {}) =>
    runTuspy({ endpoint: `${api.url}/v1/uploads`, token, file, chunkSize, metadata: METADATA, ...more });

  /** The upload is recorded once, with its size and SHA-256, and the staged bytes are the video's. */
  async function expectRecordedByteForByte(run: TuspyRun, video: Buffer): Promise<void> {
    expect(run.error).toBeUndefined();
    expect(run.offset).toBe(video.length);
    const videoId = run.videoId ?? '';
    const events = await api.store.readStream(`video-${videoId}`);
    expect(events.map((event) => event.type)).toEqual(['UploadRequested']);
    const [event] = await api.personalData.openVideoEvents([asVideoEvent(events[0]!)]);
    const data = event?.data as { userId: string; stagingRef: string; metaInfo: { title: string; fileName: string; sizeBytes: number; sha256: string } };
    expect(data).toMatchObject({ userId: 'alice', metaInfo: { title: METADATA.title, fileName: METADATA.filename, sizeBytes: video.length, sha256: sha256(video) } });
    const chunks: Buffer[] = [];
    for await (const chunk of await api.staging.read(data.stagingRef)) chunks.push(chunk as Buffer);
    expect(sha256(Buffer.concat(chunks))).toBe(sha256(video));
  }

  it.each(CASES[stagingKind])('uploads $size bytes in chunks of $chunk bytes', async ({ chunk, size }) => {
    const { video, file } = await videoFile(size);
    const started = Date.now();

    const run = await tuspy(file, chunk);

    await expectRecordedByteForByte(run, video);
    const patches = Math.ceil(size / chunk);
    expect(run.requests).toEqual({ POST: 1, PATCH: patches });
    expect(run.bytesSent).toBe(size);
    console.info(`tuspy on ${stagingKind} staging, ${size} bytes in ${chunk}-byte chunks: ${patches} PATCHes, ${Date.now() - started} ms`);
  });

  it('finishes an upload that one client object left at 1 MiB with a new client object given its URL, re-sending nothing', async () => {
    const { video, file } = await videoFile(3 * MiB + 11);
    const first = await tuspy(file, 64 * KiB, { stopAt: 1 * MiB });
    expect(first.error).toBeUndefined();
    expect(first.offset).toBe(1 * MiB);

    const second = await tuspy(file, 64 * KiB, { url: first.url ?? '' });

    expect(second.startedAt).toBe(1 * MiB);
    expect(second.requests).toEqual({ HEAD: 1, PATCH: Math.ceil((video.length - MiB) / (64 * KiB)) });
    expect(first.bytesSent + second.bytesSent).toBe(video.length);
    await expectRecordedByteForByte(second, video);
  });
});
