import { describe, it, expect, beforeEach, afterEach } from '@jest/globals';
import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { asVideoEvent } from '@reelay/contracts';
import { eventually, syntheticVideo } from '@reelay/testing';
import { startTestCommandApi } from '../testing';

type Api = Awaited<ReturnType<typeof startTestCommandApi>>;

const b64 = (text: string) => Buffer.from(text).toString('base64');
const METADATA = `title ${b64('Ferry')},filename ${b64('ferry.mp4')},filetype ${b64('video/mp4')}`;
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/**
 * A PATCH of the whole video from offset 0 that writes only `sent` bytes and then goes quiet, as
 * a phone whose network vanished without closing the connection. `answer` says what the server
 * answered, if it has.
 */
function hangingPatch(url: string, headers: Record<string, string>, video: Buffer, sent: number) {
  const target = new URL(url);
  const request = http.request({
    host: target.hostname,
    port: target.port,
    path: target.pathname,
    method: 'PATCH',
    agent: false,
    headers: { ...headers, 'upload-offset': '0', 'content-type': 'application/offset+octet-stream', 'content-length': video.length },
  });
  const answer: { status?: number; offset?: string | undefined } = {};
  request.on('response', (response) => {
    answer.status = response.statusCode;
    answer.offset = response.headers['upload-offset'] as string | undefined;
    response.resume();
  });
  request.on('error', () => undefined);
  request.write(video.subarray(0, sent));
  return { request, answer };
}

// Two command API processes behind one load balancer: one database, one staging folder, no sticky routing.
describe('tus across two command API processes sharing a database and a staging folder', () => {
  let a: Api;
  let b: Api;
  beforeEach(async () => {
    a = await startTestCommandApi({ maxUploadBytes: 64 * 1024 * 1024 });
    b = await startTestCommandApi({ maxUploadBytes: 64 * 1024 * 1024, shareWith: { databaseUrl: a.databaseUrl, stagingDir: a.stagingDir } });
  });
  afterEach(async () => {
    await b.dispose();
    await a.dispose();
  });

  it('ends the hanging PATCH on the first process when the phone resumes on the second, and records the video once, byte for byte', async () => {
    const video = syntheticVideo(4 * 1024 * 1024);
    const sent = 1024 * 1024;
    const auth = { authorization: `Bearer ${await a.tokenFor('alice')}`, 'tus-resumable': '1.0.0' };
    const created = await fetch(`${a.url}/v1/uploads`, { method: 'POST', headers: { ...auth, 'upload-length': String(video.length), 'upload-metadata': METADATA } });
    expect(created.status).toBe(201);
    const uploadPath = created.headers.get('location') ?? '';
    const videoId = created.headers.get('reelay-video-id');

    const hanging = hangingPatch(`${a.url}${uploadPath}`, auth, video, sent);
    try {
      // Process A has stored what arrived and still holds the upload, waiting for the rest.
      const bytesOnDisk = path.join(a.stagingDir, '.tus', path.basename(uploadPath));
      await eventually(async () => expect((await stat(bytesOnDisk)).size).toBe(sent));
      expect(hanging.answer.status).toBeUndefined();

      // The phone reconnects through the load balancer and lands on process B.
      const head = await fetch(`${b.url}${uploadPath}`, { method: 'HEAD', headers: auth });
      // B could answer only once A let go: A's request was asked to release and has ended.
      const answeredByA = { ...hanging.answer };
      const resumed = await fetch(`${b.url}${uploadPath}`, {
        method: 'PATCH',
        headers: { ...auth, 'upload-offset': String(sent), 'content-type': 'application/offset+octet-stream' },
        body: video.subarray(sent),
      });
      // The old connection wakes up and sends the rest of its body: it must change nothing.
      await new Promise<void>((resolve) => hanging.request.write(video.subarray(sent), () => resolve()));

      expect(head.status).toBe(200);
      expect(answeredByA).toEqual({ status: 204, offset: String(sent) });
      expect(head.headers.get('upload-offset')).toBe(String(sent));
      expect(resumed.status).toBe(204);
      expect(resumed.headers.get('upload-offset')).toBe(String(video.length));
      expect(resumed.headers.get('reelay-video-id')).toBe(videoId);
    } finally {
      hanging.request.destroy();
    }

    expect(await a.allEvents()).toEqual(['UploadRequested']);
    const [stored] = await a.store.readStream(`video-${videoId}`);
    const [event] = await a.personalData.openVideoEvents([asVideoEvent(stored!)]);
    const data = event?.data as { userId: string; stagingRef: string; metaInfo: { title: string; sizeBytes: number; sha256: string } };
    expect(data).toMatchObject({ userId: 'alice', metaInfo: { title: 'Ferry', sizeBytes: video.length, sha256: sha256(video) } });
    const chunks: Buffer[] = [];
    for await (const chunk of await a.staging.read(data.stagingRef)) chunks.push(chunk as Buffer);
    expect(sha256(Buffer.concat(chunks))).toBe(sha256(video));
    expect(await a.staging.list()).toEqual([data.stagingRef]);
  });
});
