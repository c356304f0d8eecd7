import { describe, it, expect, beforeEach, afterEach } from '@jest/globals';
import { createHash } from 'node:crypto';
import * as tus from 'tus-js-client';
import { asVideoEvent } from '@reelay/contracts';
import { eventually, startTcpProxy, syntheticVideo, type TcpProxy } from '@reelay/testing';
import { startTestCommandApi } from '../testing';

type Api = Awaited<ReturnType<typeof startTestCommandApi>>;

describe('tus-js-client against /v1/uploads', () => {
  const video = syntheticVideo(50 * 1024 * 1024);
  let api: Api;
  let proxy: TcpProxy;
  beforeEach(async () => {
    api = await startTestCommandApi({ maxUploadBytes: 64 * 1024 * 1024 });
    const { port } = new URL(api.url);
    // The network fails once 60 % of the video has reached the server (the proxy counts the bytes:
    // the client's progress events come late under load, and a cut they trigger could miss the PATCH).
    proxy = await startTcpProxy('127.0.0.1', Number(port), { cutOnceAtBytesUp: Math.round(video.length * 0.6) });
  });
  afterEach(async () => {
    await proxy.close();
    await api.dispose();
  });

  it('survives a connection cut at 60% of a 50 MiB upload, resumes from the server offset and records the right SHA-256', async () => {
    const token = await api.tokenFor('alice');
    let resumedFrom: number | undefined;
    let videoId: string | null = null;

    await new Promise<void>((resolve, reject) => {
      const upload = new tus.Upload(video, {
        endpoint: `http://${proxy.host}:${proxy.port}/v1/uploads`,
        headers: { authorization: `Bearer ${token}` },
        metadata: { title: 'Tunnel', filename: 'tunnel.mp4', filetype: 'video/mp4' },
        retryDelays: [0, 200, 500, 1000],
        onAfterResponse(request, response) {
          if (request.getMethod() === 'HEAD' && proxy.wasCut() && resumedFrom === undefined) resumedFrom = Number(response.getHeader('Upload-Offset'));
          videoId ??= response.getHeader('Reelay-Video-Id') ?? null;
        },
        onSuccess: () => resolve(),
        onError: reject,
      });
      upload.start();
    });

    expect(proxy.wasCut()).toBe(true);
    expect(resumedFrom).toBeGreaterThan(0);
    const sentBeforeCut = Math.round(video.length * 0.6);
    const resent = sentBeforeCut - (resumedFrom ?? 0);
    console.info(`tus-js-client, 50 MiB cut at 60%: ${resent} bytes (${((resent / video.length) * 100).toFixed(2)}% of the video) re-sent; resumed from ${resumedFrom} after ${sentBeforeCut} reached the server`);
    expect(resumedFrom).toBeGreaterThan(video.length * 0.3);
    const [stored] = await api.store.readStream(`video-${videoId}`);
    const [event] = await api.personalData.openVideoEvents([asVideoEvent(stored!)]);
    expect(event?.data).toMatchObject({ metaInfo: { title: 'Tunnel', sizeBytes: video.length, sha256: createHash('sha256').update(video).digest('hex') } });
  });
});

describe('intake progress during a slow tus upload', () => {
  let api: Api;
  let proxy: TcpProxy;
  beforeEach(async () => {
    api = await startTestCommandApi({ maxUploadBytes: 64 * 1024 * 1024, progressIntervalMs: 100 });
    const { port } = new URL(api.url);
    proxy = await startTcpProxy('127.0.0.1', Number(port), { bytesPerSecond: 1024 * 1024 });
  });
  afterEach(async () => {
    await proxy.close();
    await api.dispose();
  });

  it('writes a growing received count while the bytes arrive and the whole size at the end', async () => {
    const video = syntheticVideo(3 * 1024 * 1024);
    const token = await api.tokenFor('alice');
    const counts: number[] = [];
    let videoId = '';
    const done = new Promise<void>((resolve, reject) => {
      new tus.Upload(video, {
        endpoint: `http://${proxy.host}:${proxy.port}/v1/uploads`,
        headers: { authorization: `Bearer ${token}` },
        metadata: { title: 'Slow', filename: 'slow.mp4' },
        onAfterResponse(_request, response) {
          videoId ||= response.getHeader('Reelay-Video-Id') ?? '';
        },
        onSuccess: () => resolve(),
        onError: reject,
      }).start();
    });
    // Sample the row while the upload runs: it must show the upload part-way at least once.
    await eventually(async () => {
      const row = videoId ? await api.knex('intake_progress').where({ video_id: videoId }).first() : undefined;
      if (row) counts.push(Number(row.received_bytes));
      expect(counts.some((count) => count > 0 && count < video.length)).toBe(true);
    }, 20_000);
    await done;

    const row = await api.knex('intake_progress').where({ video_id: videoId }).first();
    expect({ user: row.user_id, total: Number(row.total_bytes), received: Number(row.received_bytes) }).toEqual({ user: 'alice', total: video.length, received: video.length });
  });
});
