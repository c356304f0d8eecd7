import { describe, it, expect, afterEach, jest } from '@jest/globals';
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, openSync, readSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Metadata } from '@tus/utils';
import pino from 'pino';
import { asVideoEvent } from '@reelay/contracts';
import { startTestCommandApi } from '../testing';
import { eventually, syntheticVideo } from '@reelay/testing';

type Api = Awaited<ReturnType<typeof startTestCommandApi>>;

// Many small requests: on S3 staging each PATCH under 5 MiB reads and rewrites the `.part` object.
jest.setTimeout(180_000);

/**
 * Files directly in os.tmpdir() that begin with `prefix`: @tus/s3-store writes each PATCH's chunks
 * there, so an upload's leftovers are the ones that begin with its (unique) first bytes.
 */
function temporaryFilesBeginningWith(prefix: Buffer): string[] {
  return readdirSync(os.tmpdir(), { withFileTypes: true })
    .filter((entry) => entry.isFile())
    .filter((entry) => {
      const head = Buffer.alloc(prefix.length);
      try {
        const fd = openSync(path.join(os.tmpdir(), entry.name), 'r');
        try {
          return readSync(fd, head, 0, prefix.length, 0) === prefix.length && head.equals(prefix);
        } finally {
          closeSync(fd);
        }
      } catch {
        return false;
      }
    })
    .map((entry) => entry.name);
}

const b64 = (text: string) => Buffer.from(text).toString('base64');
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/**
 * What tus 1.0 allows and other clients do (tuspy, Uppy), which tus-js-client's defaults never
 * showed: small chunks, a HEAD or a repeated last PATCH after the upload finished, the metadata
 * read back as sent, and an upload of many chunks under the per-user rate limit.
 */
describe.each(['file', 's3'] as const)('tus as other clients use it, on %s staging', (stagingKind) => {
  let api: Api;
  let auth: Record<string, string>;
  const metadata = `title ${b64('Harbour')},filename ${b64('harbour.mp4')},filetype ${b64('video/mp4')},camera ${b64('Pixel 9')},is_draft`;
  // The server's warnings, shown if a request never gets its answer (one did, once, in CI).
  let serverLog: string[] = [];
  const start = async (limits: Parameters<typeof startTestCommandApi>[0] = {}) => {
    serverLog = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => void serverLog.push(line) });
    api = await startTestCommandApi({ maxUploadBytes: 64 * 1024 * 1024, tusExpirationMs: 60_000, stagingKind, logger, ...limits });
    auth = { authorization: `Bearer ${await api.tokenFor('alice')}`, 'tus-resumable': '1.0.0' };
  };
  afterEach(async () => {
    await api.dispose();
  });

  const create = async (length: number, headers: Record<string, string> = {}) => {
    const response = await fetch(`${api.url}/v1/uploads`, { method: 'POST', headers: { ...auth, 'upload-length': String(length), 'upload-metadata': metadata, ...headers } });
    return { response, location: `${api.url}${response.headers.get('location')}`, videoId: response.headers.get('reelay-video-id') ?? '' };
  };
  const PATCH_ANSWER_MS = 60_000;
  const patch = (location: string, offset: number, body: Buffer) =>
    fetch(location, {
      method: 'PATCH',
      headers: { ...auth, 'upload-offset': String(offset), 'content-type': 'application/offset+octet-stream' },
      body,
      signal: AbortSignal.timeout(PATCH_ANSWER_MS),
    }).catch((error: Error) => {
      throw new Error(`PATCH at offset ${offset} got no answer (${error.name}); the server logged:\n${serverLog.join('') || '(nothing)'}`);
    });
  const head = (location: string) => fetch(location, { method: 'HEAD', headers: auth });

  /** PATCHes `bytes` from `from` in chunks of `chunk`; the statuses seen and the offset reached. */
  async function sendInChunks(location: string, bytes: Buffer, chunk: number, from = 0) {
    const statuses = new Map<number, number>();
    let offset = from;
    while (offset < bytes.length) {
      const response = await patch(location, offset, bytes.subarray(offset, offset + chunk));
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      if (response.status !== 204) return { statuses, offset, refusal: response };
      offset = Number(response.headers.get('upload-offset'));
    }
    return { statuses, offset, refusal: undefined };
  }

  async function recordedMetaInfo(videoId: string) {
    const [stored] = await api.store.readStream(`video-${videoId}`);
    const [event] = await api.personalData.openVideoEvents([asVideoEvent(stored!)]);
    return (event?.data as { metaInfo: { sizeBytes: number; sha256: string } } | undefined)?.metaInfo;
  }

  it('takes a video in 200-byte PATCHes (tuspy README example), checks its head across them, and records the right SHA-256', async () => {
    await start();
    const video = syntheticVideo(10_000);
    const { location, videoId } = await create(video.length);

    const sent = await sendInChunks(location, video, 200);

    expect({ statuses: Object.fromEntries(sent.statuses), offset: sent.offset }).toEqual({ statuses: { 204: 50 }, offset: video.length });
    expect(await recordedMetaInfo(videoId)).toMatchObject({ sizeBytes: video.length, sha256: sha256(video) });
    expect(await api.allEvents()).toEqual(['UploadRequested']);
  });

  it('refuses a non-video with 415 at its first 200-byte PATCH (the first 12 bytes decide), keeping nothing', async () => {
    await start();
    const text = Buffer.alloc(10_000, 'not a video at all ');
    const { location } = await create(text.length);

    const sent = await sendInChunks(location, text, 200);

    expect(sent.refusal?.status).toBe(415);
    expect(sent.offset).toBe(0);
    expect(((await sent.refusal!.json()) as { detail: string }).detail).toMatch(/not a video/);
    expect((await head(location)).status).toBe(404);
    expect(await api.everythingStaged()).toEqual([]);
    expect(await api.allEvents()).toEqual([]);
  });

  it('refuses with 415 a non-video whose first bytes could still be MPEG-TS at the PATCH that completes its first 4096 bytes, keeping nothing', async () => {
    await start();
    // A 0x47 sync byte first: only more packets tell whether it is a transport stream; this one is not.
    const fake = Buffer.alloc(10_000, 0x20);
    fake[0] = 0x47;
    // This upload's own bytes after the sync byte: its leftovers on disk are told apart by them.
    fake.set(randomBytes(16), 1);
    const { location } = await create(fake.length);

    const sent = await sendInChunks(location, fake, 200);

    expect(sent.refusal?.status).toBe(415);
    // 200-byte steps: 4000 bytes were stored before the PATCH that reached 4096.
    expect(sent.offset).toBe(4000);
    expect((await head(location)).status).toBe(404);
    expect(await api.everythingStaged()).toEqual([]);
    expect(await api.allEvents()).toEqual([]);
    // Nor on the machine's disk: the S3 store's chunk file of the refused PATCH is removed too
    // (after the answer, maybe; a file left behind stays, and fails this after 5 s).
    await eventually(async () => expect(temporaryFilesBeginningWith(fake.subarray(0, 17))).toEqual([]), 5000, 100);
  });

  it('answers a HEAD of a finished upload with 200, offset = length and the video id after the staged copy is gone, and a repeated last PATCH with 204 recording nothing twice', async () => {
    await start();
    const video = syntheticVideo(100_000);
    const { location, videoId } = await create(video.length);
    expect((await patch(location, 0, video)).status).toBe(204);
    // What the uploader does once the video is stored.
    const [ref] = await api.staging.list();
    await api.staging.remove(ref!);

    const after = await head(location);
    // The phone lost the answer to its last PATCH and sends it again, empty, at the end.
    const again = await patch(location, video.length, Buffer.alloc(0));

    expect({ status: after.status, offset: after.headers.get('upload-offset'), length: after.headers.get('upload-length'), videoId: after.headers.get('reelay-video-id') }).toEqual({
      status: 200,
      offset: String(video.length),
      length: String(video.length),
      videoId,
    });
    expect({ status: again.status, offset: again.headers.get('upload-offset'), videoId: again.headers.get('reelay-video-id') }).toEqual({ status: 204, offset: String(video.length), videoId });
    expect(await api.allEvents()).toEqual(['UploadRequested']);
    expect(await api.staging.list()).toEqual([]);
  });

  it('answers a repeated last PATCH with 204 while the staged copy is still there, recording nothing twice', async () => {
    await start();
    const video = syntheticVideo(100_000);
    const { location, videoId } = await create(video.length);
    expect((await patch(location, 0, video)).status).toBe(204);

    const again = await patch(location, video.length, Buffer.alloc(0));

    expect({ status: again.status, offset: again.headers.get('upload-offset'), videoId: again.headers.get('reelay-video-id') }).toEqual({ status: 204, offset: String(video.length), videoId });
    expect(await api.allEvents()).toEqual(['UploadRequested']);
    expect(await api.staging.list()).toHaveLength(1);
  });

  it('answers HEAD with the Upload-Metadata the client sent, nothing renamed or added', async () => {
    await start();
    const { location } = await create(1000);

    const answered = (await head(location)).headers.get('upload-metadata');

    expect(Metadata.parse(answered ?? '')).toEqual(Metadata.parse(metadata));
  });

  it('refuses a creation whose metadata names a key the server keeps for itself (400), keeping nothing', async () => {
    await start();
    const forged = await create(1000, { 'upload-metadata': `${metadata},reelay-owner ${b64('bob')}` });

    expect(forged.response.status).toBe(400);
    expect(((await forged.response.json()) as { detail: string }).detail).toMatch(/reelay-owner/);
    expect(await api.everythingStaged()).toEqual([]);
  });

  it('counts creations, not the HEADs and PATCHes of an own upload, in the per-user rate limit', async () => {
    await start({ limits: { rateLimit: { max: 10, windowMs: 60_000 } } });
    const video = syntheticVideo(64 * 1024);
    const { location, videoId } = await create(video.length);

    // 16 PATCHes of 4 KiB, a HEAD before each (a cautious client): 32 requests, beyond 10.
    let offset = 0;
    const statuses = new Map<number, number>();
    while (offset < video.length) {
      const probe = await head(location);
      statuses.set(probe.status, (statuses.get(probe.status) ?? 0) + 1);
      const response = await patch(location, offset, video.subarray(offset, offset + 4096));
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      if (response.status !== 204) break;
      offset = Number(response.headers.get('upload-offset'));
    }
    expect({ offset, statuses: Object.fromEntries(statuses) }).toEqual({ offset: video.length, statuses: { 200: 16, 204: 16 } });
    expect(await recordedMetaInfo(videoId)).toMatchObject({ sha256: sha256(video) });

    // Creations still count: 9 more reach the limit of 10, the next is refused.
    const creations = [];
    for (let i = 0; i < 10; i += 1) creations.push((await create(1000)).response.status);
    expect(creations).toEqual([...Array(9).fill(201), 429]);
    // And so do requests for uploads that are not the caller's (another user's, or none).
    const bob = { authorization: `Bearer ${await api.tokenFor('bob')}`, 'tus-resumable': '1.0.0' };
    const probes = [];
    for (let i = 0; i < 11; i += 1) probes.push((await fetch(location, { method: 'HEAD', headers: bob })).status);
    expect(probes).toEqual([...Array(10).fill(404), 429]);
  });
});
