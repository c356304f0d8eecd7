import { describe, it, expect, beforeEach, afterEach } from '@jest/globals';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { PROJECT_ROOT } from '@reelay/platform';
import { startTestCommandApi } from '../testing';

type Api = Awaited<ReturnType<typeof startTestCommandApi>>;

describe('DELETE /v1/videos/:id and POST /v1/videos/:id/retry', () => {
  let api: Api;
  let videoId: string;
  const as = async (user: string) => ({ authorization: `Bearer ${await api.tokenFor(user)}` });

  beforeEach(async () => {
    api = await startTestCommandApi();
    const response = await fetch(`${api.url}/v1/videos?title=t&fileName=f.mp4`, {
      method: 'POST',
      headers: { ...(await as('alice')), 'content-type': 'video/mp4' },
      body: await readFile(path.join(PROJECT_ROOT, 'system/fixtures/sample.mp4')),
    });
    ({ videoId } = (await response.json()) as { videoId: string });
  });
  afterEach(async () => {
    await api.dispose();
  });

  it('records VideoDeleted once, and deleting again is not an error', async () => {
    for (let i = 0; i < 2; i += 1) {
      const response = await fetch(`${api.url}/v1/videos/${videoId}`, { method: 'DELETE', headers: await as('alice') });
      expect(response.status).toBe(202);
      expect(await response.json()).toEqual({ videoId, status: 'DELETED' });
    }
    expect((await api.store.readStream(`video-${videoId}`)).map((e) => e.type)).toEqual(['UploadRequested', 'VideoDeleted']);
  });

  it("answers 404 for another user's video and for a missing one, and records nothing", async () => {
    expect((await fetch(`${api.url}/v1/videos/${videoId}`, { method: 'DELETE', headers: await as('mallory') })).status).toBe(404);
    expect((await fetch(`${api.url}/v1/videos/${videoId}/retry`, { method: 'POST', headers: await as('mallory') })).status).toBe(404);
    const missing = '00000000-0000-4000-8000-000000000000';
    expect((await fetch(`${api.url}/v1/videos/${missing}`, { method: 'DELETE', headers: await as('alice') })).status).toBe(404);
    expect(await api.store.readStream(`video-${videoId}`)).toHaveLength(1);
  });

  it('answers 400 for an id that is not a UUID', async () => {
    const response = await fetch(`${api.url}/v1/videos/'%20OR%201=1%20--`, { method: 'DELETE', headers: await as('alice') });
    expect(response.status).toBe(400);
  });

  it('refuses to retry a video that has not failed with 409', async () => {
    const response = await fetch(`${api.url}/v1/videos/${videoId}/retry`, { method: 'POST', headers: await as('alice') });
    expect(response.status).toBe(409);
    expect(((await response.json()) as { detail: string }).detail).toMatch(/PENDING/);
  });
});
