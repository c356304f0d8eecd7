import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { PROJECT_ROOT } from '@reelay/platform';
import { startTestCommandApi } from '../testing';

type Api = Awaited<ReturnType<typeof startTestCommandApi>>;

const SAMPLE = path.join(PROJECT_ROOT, 'system/fixtures/sample.mp4');
const b64 = (text: string) => Buffer.from(text).toString('base64');
const METADATA = `title ${b64('Holiday')},filename ${b64('holiday.mp4')},filetype ${b64('video/mp4')}`;
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

describe('tus at /v1/uploads', () => {
  let api: Api;
  let video: Buffer;
  let auth: Record<string, string>;
  beforeAll(async () => {
    video = await readFile(SAMPLE);
  });
  beforeEach(async () => {
    api = await startTestCommandApi({ maxUploadBytes: 8 * 1024 * 1024 });
    auth = { authorization: `Bearer ${await api.tokenFor('alice')}`, 'tus-resumable': '1.0.0' };
  });
  afterEach(async () => {
    await api.dispose();
  });

  it('records UploadRequested with the SHA-256 when a creation-with-upload carries the whole video', async () => {
    const response = await fetch(`${api.url}/v1/uploads`, {
      method: 'POST',
      headers: { ...auth, 'upload-length': String(video.length), 'upload-metadata': METADATA, 'content-type': 'application/offset+octet-stream' },
      body: video,
    });
    expect(response.status).toBe(201);
    const videoId = response.headers.get('reelay-video-id');
    expect(response.headers.get('location')).toMatch(new RegExp(`^/v1/uploads/${videoId}-[0-9a-f]{8}$`));
    expect(response.headers.get('upload-offset')).toBe(String(video.length));
    const [event] = await api.store.readStream(`video-${videoId}`);
    expect(event?.type).toBe('UploadRequested');
    const data = event?.data as { userId: string; metaInfo: { sizeBytes: number; sha256: string; title: string; fileName: string }; stagingRef: string };
    expect(data).toMatchObject({ userId: 'alice', metaInfo: { title: 'Holiday', fileName: 'holiday.mp4', sizeBytes: video.length, sha256: sha256(video) } });
    expect(await api.staging.list()).toEqual([data.stagingRef]);
  });
});
