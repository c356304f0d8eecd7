import { describe, it, expect, beforeAll, beforeEach, afterEach } from '@jest/globals';
import http from 'node:http';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { asVideoEvent, isSealedText } from '@reelay/contracts';
import { PROJECT_ROOT } from '@reelay/platform';
import { startTestCommandApi } from '../testing';

type Api = Awaited<ReturnType<typeof startTestCommandApi>>;

const SAMPLE = path.join(PROJECT_ROOT, 'system/fixtures/sample.mp4');

describe('POST /v1/videos', () => {
  let api: Api;
  let video: Buffer;
  let auth: { authorization: string };
  beforeAll(async () => {
    video = await readFile(SAMPLE);
  });
  beforeEach(async () => {
    api = await startTestCommandApi({ maxUploadBytes: 4 * 1024 * 1024 });
    auth = { authorization: `Bearer ${await api.tokenFor('alice')}` };
  });
  afterEach(async () => {
    await api.dispose();
  });

  const post = (body: RequestInit['body'], headers: Record<string, string> = {}, query = 'title=Holiday&fileName=holiday.mp4') =>
    fetch(`${api.url}/v1/videos?${query}`, { method: 'POST', headers: { 'content-type': 'video/mp4', ...auth, ...headers }, body, duplex: 'half' } as RequestInit);

  it('stages the bytes, records UploadRequested with the title and file name sealed, and answers 202 PENDING with a Location', async () => {
    const response = await post(video);
    expect(response.status).toBe(202);
    const { videoId, status } = (await response.json()) as { videoId: string; status: string };
    expect(status).toBe('PENDING');
    expect(response.headers.get('location')).toBe(`http://query.test/v1/videos/${videoId}`);
    const [event] = await api.store.readStream(`video-${videoId}`);
    expect(event?.type).toBe('UploadRequested');
    const data = event?.data as { userId: string; metaInfo: { sizeBytes: number; sha256: string; title: string; fileName: string }; stagingRef: string };
    expect(data.userId).toBe('alice');
    expect(data.metaInfo).toMatchObject({ sizeBytes: video.length, sha256: createHash('sha256').update(video).digest('hex') });
    expect([isSealedText(data.metaInfo.title), isSealedText(data.metaInfo.fileName)]).toEqual([true, true]);
    expect(JSON.stringify(event)).not.toMatch(/holiday/i);
    const [opened] = await api.personalData.openVideoEvents([asVideoEvent(event!)]);
    expect(opened?.data).toMatchObject({ metaInfo: { title: 'Holiday', fileName: 'holiday.mp4' } });
    expect(await api.staging.list()).toEqual([data.stagingRef]);
  });

  it('returns the same video for the same Idempotency-Key and records it once', async () => {
    const first = (await (await post(video, { 'idempotency-key': 'phone-42' })).json()) as { videoId: string };
    const second = await post(video, { 'idempotency-key': 'phone-42' });
    expect(second.status).toBe(202);
    expect(((await second.json()) as { videoId: string }).videoId).toBe(first.videoId);
    expect(await api.allEvents()).toHaveLength(1);
    expect(await api.staging.list()).toHaveLength(1);
  });

  it('refuses the same Idempotency-Key with another title, file name or body with 422, recording nothing', async () => {
    const first = await post(video, { 'idempotency-key': 'phone-43' });
    expect(first.status).toBe(202);
    const otherBody = Buffer.from(video);
    otherBody[otherBody.length - 1] = (otherBody[otherBody.length - 1] as number) ^ 0xff;
    const attempts: Array<[RequestInit['body'], string, RegExp]> = [
      [video, 'title=Another&fileName=holiday.mp4', /its title differ/],
      [video, 'title=Holiday&fileName=other.mp4', /its fileName differ/],
      [otherBody, 'title=Holiday&fileName=holiday.mp4', /its body differ/],
      [video.subarray(0, 100_000), 'title=Holiday&fileName=holiday.mp4', /its body differ/],
    ];
    for (const [body, query, detail] of attempts) {
      const again = await post(body, { 'idempotency-key': 'phone-43' }, query);
      expect(again.status).toBe(422);
      expect(again.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(((await again.json()) as { detail: string }).detail).toMatch(detail);
    }
    expect(await api.allEvents()).toEqual(['UploadRequested']);
    expect(await api.staging.list()).toHaveLength(1);
  });

  it('answers 409 for an Idempotency-Key whose video was deleted, never a fresh PENDING', async () => {
    const { videoId } = (await (await post(video, { 'idempotency-key': 'phone-44' })).json()) as { videoId: string };
    expect((await fetch(`${api.url}/v1/videos/${videoId}`, { method: 'DELETE', headers: auth })).status).toBe(202);
    const again = await post(video, { 'idempotency-key': 'phone-44' });
    expect(again.status).toBe(409);
    expect(((await again.json()) as { detail: string }).detail).toMatch(new RegExp(`${videoId}\\) has been deleted; to upload again, send a new Idempotency-Key`));
    expect(await api.allEvents()).toEqual(['UploadRequested', 'VideoDeleted']);
  });

  it('refuses bytes that are not a video with 415, whatever the Content-Type says', async () => {
    const response = await post(Buffer.from('this is plain text pretending to be a video, long enough to sniff'));
    expect(response.status).toBe(415);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(((await response.json()) as { detail: string }).detail).toMatch(/not a video/);
    expect(await api.allEvents()).toEqual([]);
    expect(await api.staging.list()).toEqual([]);
  });

  it('refuses an empty body', async () => {
    const response = await post(Buffer.alloc(0));
    expect(response.status).toBe(415);
    expect(await api.allEvents()).toEqual([]);
  });

  it('refuses a declared size over the limit with 413 before reading the body', async () => {
    const response = await post(Buffer.concat([video, video]));
    expect(response.status).toBe(413);
    expect(await api.allEvents()).toEqual([]);
    expect(await api.staging.list()).toEqual([]);
  });

  it('refuses a chunked body that grows over the limit with 413 and keeps nothing', async () => {
    const chunks = [video, video];
    const stream = new ReadableStream({ pull: (c) => (chunks.length ? c.enqueue(chunks.shift()) : c.close()) });
    const response = await post(stream as unknown as RequestInit['body']);
    expect(response.status).toBe(413);
    expect(await api.allEvents()).toEqual([]);
    expect(await api.staging.list()).toEqual([]);
  });

  it('records nothing and keeps nothing when the client disconnects mid-body', async () => {
    const url = new URL(`${api.url}/v1/videos?title=t&fileName=f.mp4`);
    await new Promise<void>((resolve) => {
      const request = http.request(url, { method: 'POST', headers: { ...auth, 'content-type': 'video/mp4', 'content-length': String(video.length) } });
      request.on('error', () => resolve());
      request.write(video.subarray(0, 100_000), () => setTimeout(() => { request.destroy(); resolve(); }, 100));
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await api.allEvents()).toEqual([]);
    expect(await api.staging.list()).toEqual([]);
  });

  it.each([
    ['no title', 'fileName=a.mp4'],
    ['a file name with a path', 'title=t&fileName=../../etc/passwd'],
    ['a title with control characters', 'title=a%00b&fileName=a.mp4'],
  ])('answers 400 problem+json for %s', async (_name, query) => {
    const response = await post(video, {}, query);
    expect(response.status).toBe(400);
    const problem = (await response.json()) as { type: string; title: string; status: number; detail: string };
    expect(problem).toMatchObject({ status: 400, title: 'Bad Request' });
    expect(problem.detail.length).toBeGreaterThan(5);
    expect(await api.allEvents()).toEqual([]);
  });

  it('answers 401 without a valid token', async () => {
    const response = await post(video, { authorization: 'Bearer not-a-token' });
    expect(response.status).toBe(401);
    expect(await api.allEvents()).toEqual([]);
  });

  it('answers 415 for a Content-Type that is not video/*', async () => {
    const response = await post(video, { 'content-type': 'application/json' });
    expect(response.status).toBe(415);
    expect(await api.allEvents()).toEqual([]);
  });
});
