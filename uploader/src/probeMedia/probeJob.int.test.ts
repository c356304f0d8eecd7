import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { newEvent, type MediaFacts, type VideoId } from '@reelay/contracts';
import { ffmpegAvailable, makeTestVideos } from '@reelay/testing';
import { createUploaderTestKit, type UploaderTestKit } from '../testing/uploaderTestKit';
import { s3RangeSource } from './rangeSources';

describe('the probe job, after an upload', () => {
  let kit: UploaderTestKit;
  let dir: string;
  let available = false;

  beforeAll(async () => {
    available = await ffmpegAvailable();
    if (!available) return console.warn('SKIPPED: ffmpeg/ffprobe are not installed (.ci/run installs them)');
    dir = await mkdtemp(path.join(os.tmpdir(), 'reelay-probe-job-'));
    kit = await createUploaderTestKit();
    await kit.startWorker({ openStored: (bucket, key) => s3RangeSource(kit.s3.client, bucket, key) });
  }, 60_000);
  afterAll(async () => {
    await kit?.dispose();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** What the job relay does for UploadCompleted. */
  const relayProbe = async (videoId: string) => {
    const completed = (await kit.streamOf(videoId)).find((e) => e.type === 'UploadCompleted');
    await kit.queue.publish({ kind: 'probe', videoId: videoId as VideoId, requestEventId: completed?.id ?? '' });
  };

  it('records MediaProbed once for a stored video, even when the job comes twice', async () => {
    if (!available) return;
    const { webm } = await makeTestVideos(dir);
    const { videoId } = await kit.requestUpload(await readFile(webm));
    await kit.waitForType(videoId, 'UploadCompleted');
    await relayProbe(videoId);
    const stream = await kit.waitForType(videoId, 'MediaProbed');
    const facts = (stream.find((e) => e.type === 'MediaProbed')?.data as { facts: MediaFacts } | undefined)?.facts;
    expect(facts).toMatchObject({ container: 'webm', width: 320, height: 240, videoCodec: 'vp8', audioCodec: 'opus' });
    // A relayed duplicate with a new message id: the stream's state says it is done.
    await kit.queue.publish({ kind: 'probe', videoId: videoId as VideoId, requestEventId: '00000000-0000-4000-8000-000000000001' });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect((await kit.typesOf(videoId)).filter((t) => t.startsWith('Media'))).toEqual(['MediaProbed']);
  }, 60_000);

  it('records nothing for a video deleted before its probe', async () => {
    if (!available) return;
    const { mp4 } = await makeTestVideos(dir);
    const { videoId } = await kit.requestUpload(await readFile(mp4));
    await kit.waitForType(videoId, 'UploadCompleted');
    await kit.events.store.appendToStream(`video-${videoId}`, [newEvent({ type: 'VideoDeleted', data: { deletedBy: 'alice' as never } }, { correlationId: 'c', causationId: 'c', userId: 'alice' })], {
      expectedRevision: 'any',
    });
    await relayProbe(videoId);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect((await kit.typesOf(videoId)).filter((t) => t.startsWith('Media'))).toEqual([]);
  }, 60_000);
});
