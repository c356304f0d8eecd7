import { describe, it, expect, beforeAll, afterEach } from '@jest/globals';
import http from 'node:http';
import net from 'node:net';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { PROJECT_ROOT } from '@reelay/platform';
import { diskFullAfter, eventually } from '@reelay/testing';
import { startTestCommandApi } from '../testing';

type Api = Awaited<ReturnType<typeof startTestCommandApi>>;

const SAMPLE = path.join(PROJECT_ROOT, 'system/fixtures/sample.mp4');

describe('the limits of POST /v1/videos', () => {
  let api: Api | undefined;
  let video: Buffer;

  beforeAll(async () => {
    video = await readFile(SAMPLE);
  });
  afterEach(async () => {
    await api?.dispose();
    api = undefined;
  });

  const post = async (on: Api, user: string, body: Buffer = video) =>
    fetch(`${on.url}/v1/videos?title=t&fileName=f.mp4`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await on.tokenFor(user)}`, 'content-type': 'video/mp4' },
      body,
    });

  /** An upload that sends its first bytes and then holds the connection open, sending nothing. */
  async function openStalledUpload(on: Api, user: string): Promise<http.ClientRequest> {
    const request = http.request(`${on.url}/v1/videos?title=t&fileName=f.mp4`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await on.tokenFor(user)}`, 'content-type': 'video/mp4', 'content-length': String(video.length) },
    });
    request.on('error', () => undefined);
    request.write(video.subarray(0, 64 * 1024));
    return request;
  }

  it('answers 413 to a declared size over the limit before a byte of the body is sent', async () => {
    api = await startTestCommandApi({ maxUploadBytes: 1024 * 1024 });
    const token = await api.tokenFor('alice');
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(Number(new URL(api!.url).port), '127.0.0.1');
      let text = '';
      socket.on('data', (chunk) => (text += chunk.toString()));
      socket.on('close', () => resolve(text));
      socket.on('error', reject);
      socket.write(
        `POST /v1/videos?title=t&fileName=f.mp4 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nContent-Type: video/mp4\r\nContent-Length: 1000000000000\r\n\r\n`,
      );
    });
    expect(answer).toMatch(/^HTTP\/1\.1 413 /);
    expect(answer).toMatch(/connection: close/i);
    expect(answer).toMatch(/application\/problem\+json/);
    expect(await api.filesInStaging()).toEqual([]);
  });

  it('refuses more concurrent uploads per user than allowed with 429, and frees the slot when one ends', async () => {
    api = await startTestCommandApi({ limits: { maxConcurrentUploadsPerUser: 2 } });
    const on = api;
    const first = await openStalledUpload(on, 'alice');
    const second = await openStalledUpload(on, 'alice');
    try {
      await eventually(async () => expect((await on.filesInStaging()).filter((f) => f.endsWith('.partial'))).toHaveLength(2));

      const refused = await post(on, 'alice');
      expect(refused.status).toBe(429);
      expect(refused.headers.get('retry-after')).toBe('10');
      expect(await refused.json()).toMatchObject({ status: 429, type: expect.stringContaining('too-many-uploads') });
      expect((await post(on, 'bob')).status).toBe(202);

      first.destroy();
      await eventually(async () => expect((await on.filesInStaging()).filter((f) => f.endsWith('.partial'))).toHaveLength(1));
      expect((await post(on, 'alice')).status).toBe(202);
      expect(await on.allEvents()).toEqual(['UploadRequested', 'UploadRequested']);
    } finally {
      first.destroy();
      second.destroy();
    }
  });

  it('limits each user\'s request rate with 429 and Retry-After, without slowing other users', async () => {
    api = await startTestCommandApi({ limits: { rateLimit: { max: 3, windowMs: 60_000 } } });
    const del = async (user: string) =>
      fetch(`${api!.url}/v1/videos/6f1c1f0e-8a4b-4c3e-9a53-2f1d2f3c4b5a`, { method: 'DELETE', headers: { authorization: `Bearer ${await api!.tokenFor(user)}` } });
    for (let i = 0; i < 3; i += 1) expect((await del('alice')).status).toBe(404);

    const limited = await del('alice');
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(limited.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(((await limited.json()) as { detail: string }).detail).toMatch(/more than 3 requests/);
    expect((await del('bob')).status).toBe(404);
    expect((await fetch(`${api.url}/healthz`)).status).toBe(200);
  });

  it('answers 507 when staging runs out of space, and keeps nothing', async () => {
    api = await startTestCommandApi({ staging: { openPartial: diskFullAfter(256 * 1024) } });
    const response = await post(api, 'alice');
    expect(response.status).toBe(507);
    expect(await response.json()).toMatchObject({ status: 507, title: 'Insufficient Storage' });
    expect(await api.filesInStaging()).toEqual([]);
    expect(await api.allEvents()).toEqual([]);
  });

  it('closes only after an upload whose client went away has removed what it staged', async () => {
    api = await startTestCommandApi({ progressIntervalMs: 0 });
    const on = api;
    const progressRows = async () => Number((await on.knex('intake_progress').count({ rows: '*' }))[0]?.rows);
    const cut = await openStalledUpload(on, 'alice');
    await eventually(async () => expect(await on.filesInStaging()).toHaveLength(1));
    await eventually(async () => expect(await progressRows()).toBe(1));
    cut.destroy();
    await on.app.close();
    // Closed: the pools may go now, and nothing of the upload is left for them to miss.
    expect(await on.filesInStaging()).toEqual([]);
    expect(await progressRows()).toBe(0);
    expect(await on.allEvents()).toEqual([]);
  });

  it('cuts off a body that stops arriving with 408, and keeps nothing', async () => {
    api = await startTestCommandApi({ limits: { uploadIdleTimeoutMs: 300 } });
    const on = api;
    const stalled = await openStalledUpload(on, 'alice');
    const answer = await new Promise<http.IncomingMessage>((resolve) => stalled.on('response', resolve));
    expect(answer.statusCode).toBe(408);
    expect(answer.headers.connection).toBe('close');
    stalled.destroy();
    await eventually(async () => expect(await on.filesInStaging()).toEqual([]));
    expect(await on.allEvents()).toEqual([]);
    // The slot is free again.
    expect((await post(on, 'alice')).status).toBe(202);
  });
});
