import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { PROJECT_ROOT } from '@reelay/platform';
import { startTestCommandApi } from '../testing';

type Api = Awaited<ReturnType<typeof startTestCommandApi>>;

const SAMPLE = path.join(PROJECT_ROOT, 'system/fixtures/sample.mp4');
const b64 = (text: string) => Buffer.from(text).toString('base64');
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const metadata = (fileName: string, hash?: string) =>
  [`title ${b64('Holiday')}`, `filename ${b64(fileName)}`, `filetype ${b64('video/mp4')}`, ...(hash ? [`sha256 ${b64(hash)}`] : [])].join(',');

describe('no video uploaded twice, at the command API', () => {
  let api: Api;
  let video: Buffer;
  const authFor = async (userId: string) => ({ authorization: `Bearer ${await api.tokenFor(userId)}`, 'tus-resumable': '1.0.0' });

  beforeAll(async () => {
    video = await readFile(SAMPLE);
    api = await startTestCommandApi({ maxUploadBytes: 8 * 1024 * 1024 });
  });
  afterAll(async () => {
    await api.dispose();
  });

  const create = async (userId: string, fileName: string, hash: string | undefined, length = video.length) =>
    fetch(`${api.url}/v1/uploads`, { method: 'POST', headers: { ...(await authFor(userId)), 'upload-length': String(length), 'upload-metadata': metadata(fileName, hash) } });
  const patch = async (userId: string, location: string, offset: number, body: Buffer) =>
    fetch(`${api.url}${location}`, { method: 'PATCH', headers: { ...(await authFor(userId)), 'upload-offset': String(offset), 'content-type': 'application/offset+octet-stream' }, body });
  const typesOf = async (videoId: string) => (await api.store.readStream(`video-${videoId}`)).map((e) => e.type);

  it('points a second device at the unfinished upload, then at the video, and never takes the bytes twice', async () => {
    const hash = sha256(video);
    const first = await create('ann', 'holiday.mp4', hash);
    expect(first.status).toBe(201);
    const location = first.headers.get('location') ?? '';
    const videoId = first.headers.get('reelay-video-id');
    const half = Math.floor(video.length / 2);
    expect((await patch('ann', location, 0, video.subarray(0, half))).status).toBe(204);

    // Another device, another file name, the same bytes: resume the upload at its offset.
    const second = await create('ann', 'IMG_0001.MOV', hash);
    expect(second.status).toBe(200);
    expect(second.headers.get('reelay-duplicate')).toBe('upload');
    expect(second.headers.get('location')).toBe(location);
    expect(second.headers.get('upload-offset')).toBe(String(half));
    expect(await second.json()).toEqual({ duplicate: 'upload', videoId, status: 'PENDING', uploadUrl: location, uploadOffset: half });

    const finished = await patch('ann', location, half, video.subarray(half));
    expect(finished.status).toBe(204);
    expect(await typesOf(videoId ?? '')).toEqual(['UploadRequested']);

    // Once recorded, the content is the video: nothing to send, nothing recorded again.
    const third = await create('ann', 'copy.mp4', hash);
    expect(third.status).toBe(200);
    expect(third.headers.get('reelay-duplicate')).toBe('video');
    expect(third.headers.get('location')).toBe(`http://query.test/v1/videos/${videoId}`);
    expect(await third.json()).toMatchObject({ duplicate: 'video', videoId, status: 'PENDING' });
    expect(await typesOf(videoId ?? '')).toEqual(['UploadRequested']);

    // A single POST with the hash is answered the same way without its body being read.
    const post = await fetch(`${api.url}/v1/videos?title=again&fileName=again.mp4`, {
      method: 'POST',
      headers: { authorization: (await authFor('ann')).authorization, 'content-type': 'video/mp4', 'reelay-content-sha256': hash },
      body: video,
    });
    expect(post.status).toBe(200);
    expect(await post.json()).toMatchObject({ duplicate: 'video', videoId });
  });

  it('gives another user with the same content a video of their own', async () => {
    const hash = sha256(video);
    const mine = await create('bea', 'a.mp4', hash);
    const theirs = await create('cal', 'a.mp4', hash);
    expect([mine.status, theirs.status]).toEqual([201, 201]);
    expect(mine.headers.get('reelay-video-id')).not.toBe(theirs.headers.get('reelay-video-id'));
  });

  it('does not reuse a deleted video', async () => {
    const hash = sha256(video);
    const created = await create('dee', 'a.mp4', hash);
    const videoId = created.headers.get('reelay-video-id');
    expect((await patch('dee', created.headers.get('location') ?? '', 0, video)).status).toBe(204);
    const deleted = await fetch(`${api.url}/v1/videos/${videoId}`, { method: 'DELETE', headers: { authorization: (await authFor('dee')).authorization } });
    expect(deleted.status).toBe(202);
    const again = await create('dee', 'a.mp4', hash);
    expect(again.status).toBe(201);
    expect(again.headers.get('reelay-video-id')).not.toBe(videoId);
  });

  it('fails an upload whose bytes do not hash to what it declared, and keeps nothing', async () => {
    const other = sha256(Buffer.from('some other video'));
    const created = await create('eve', 'a.mp4', other);
    const videoId = created.headers.get('reelay-video-id') ?? '';
    const refused = await patch('eve', created.headers.get('location') ?? '', 0, video);
    expect(refused.status).toBe(460);
    expect(refused.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(((await refused.json()) as { detail: string }).detail).toContain(`not to ${other}`);
    expect(await typesOf(videoId)).toEqual([]);
    expect((await api.staging.list()).some((ref) => ref.includes(videoId))).toBe(false);
    // The claim went with it: the right bytes are a new upload.
    expect((await create('eve', 'a.mp4', other)).status).toBe(201);
  });

  it('fails a single POST whose bytes do not hash to its header, and records nothing', async () => {
    const before = await api.allEvents();
    const response = await fetch(`${api.url}/v1/videos?title=x&fileName=x.mp4`, {
      method: 'POST',
      headers: { authorization: (await authFor('fay')).authorization, 'content-type': 'video/mp4', 'reelay-content-sha256': 'ab'.repeat(32) },
      body: video,
    });
    expect(response.status).toBe(422);
    expect(((await response.json()) as { detail: string }).detail).toContain('hash to SHA-256');
    expect(await api.allEvents()).toEqual(before);
  });

  it('refuses a sha256 that is not 64 hex digits', async () => {
    const response = await create('gus', 'a.mp4', 'not-a-hash');
    expect(response.status).toBe(400);
    expect(((await response.json()) as { detail: string }).detail).toContain('sha256');
  });
});
