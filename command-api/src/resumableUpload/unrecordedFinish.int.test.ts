import { describe, it, expect, beforeEach, afterEach } from '@jest/globals';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { asVideoEvent } from '@reelay/contracts';
import { stagingKindsUnderTest, syntheticVideo } from '@reelay/testing';
import { startTestCommandApi } from '../testing';

type Api = Awaited<ReturnType<typeof startTestCommandApi>>;

const b64 = (text: string) => Buffer.from(text).toString('base64');
const METADATA = `title ${b64('Harbour')},filename ${b64('harbour.mp4')},filetype ${b64('video/mp4')}`;
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/**
 * A command API that died after storing an upload's last byte and handing it to staging, but
 * before recording `UploadRequested`: the upload says "complete", yet no video exists. The client
 * that lost its last answer asks with HEAD (or sends its last PATCH again); that records it.
 */
describe.each(stagingKindsUnderTest())('a tus upload whose process died between its last byte and its record, on %s staging', (stagingKind) => {
  let api: Api;
  let auth: Record<string, string>;
  beforeEach(async () => {
    api = await startTestCommandApi({ maxUploadBytes: 64 * 1024 * 1024, tusExpirationMs: 60_000, stagingKind });
    auth = { authorization: `Bearer ${await api.tokenFor('alice')}`, 'tus-resumable': '1.0.0' };
  });
  afterEach(async () => {
    await api.dispose();
  });

  const head = (location: string) => fetch(location, { method: 'HEAD', headers: auth });
  const patch = (location: string, offset: number, body: Buffer) =>
    fetch(location, { method: 'PATCH', headers: { ...auth, 'upload-offset': String(offset), 'content-type': 'application/offset+octet-stream' }, body });

  /** All of `video` stored and handed over as its last PATCH would, nothing recorded: what the crash leaves. */
  async function finishedButUnrecorded(video: Buffer) {
    const created = await fetch(`${api.url}/v1/uploads`, { method: 'POST', headers: { ...auth, 'upload-length': String(video.length), 'upload-metadata': METADATA } });
    const location = `${api.url}${created.headers.get('location')}`;
    const last = video.length - 1000;
    expect((await patch(location, 0, video.subarray(0, last))).status).toBe(204);
    // The last bytes go to the store directly: no request, so no hook records them.
    const id = api.area.idFor(location.split('/').pop()!);
    await api.tusStore.write(Readable.from([video.subarray(last)]), id, last);
    await api.area.handOver(await api.tusStore.getUpload(id));
    return { location, videoId: created.headers.get('reelay-video-id') ?? '' };
  }

  async function recordedMetaInfo(videoId: string) {
    const [stored] = await api.store.readStream(`video-${videoId}`);
    const [event] = await api.personalData.openVideoEvents([asVideoEvent(stored!)]);
    return (event?.data as { metaInfo: { sizeBytes: number; sha256: string; title: string } } | undefined)?.metaInfo;
  }

  it('is recorded by the HEAD of the client asking after it, which answers complete with the video id; asked again, recorded once', async () => {
    const video = syntheticVideo(100_000);
    const { location, videoId } = await finishedButUnrecorded(video);
    expect(await api.allEvents()).toEqual([]);

    const answer = await head(location);

    expect({ status: answer.status, offset: answer.headers.get('upload-offset'), videoId: answer.headers.get('reelay-video-id') }).toEqual({ status: 200, offset: String(video.length), videoId });
    expect(await recordedMetaInfo(videoId)).toMatchObject({ title: 'Harbour', sizeBytes: video.length, sha256: sha256(video) });
    expect((await head(location)).status).toBe(200);
    expect(await api.allEvents()).toEqual(['UploadRequested']);
    expect(await api.staging.list()).toHaveLength(1);
  });

  it('is recorded by a repeated last PATCH (empty, at the end), once', async () => {
    const video = syntheticVideo(100_000);
    const { location, videoId } = await finishedButUnrecorded(video);

    const again = await patch(location, video.length, Buffer.alloc(0));
    const thrice = await patch(location, video.length, Buffer.alloc(0));

    expect({ status: again.status, offset: again.headers.get('upload-offset'), videoId: again.headers.get('reelay-video-id') }).toEqual({ status: 204, offset: String(video.length), videoId });
    expect(thrice.status).toBe(204);
    expect(await recordedMetaInfo(videoId)).toMatchObject({ sizeBytes: video.length, sha256: sha256(video) });
    expect(await api.allEvents()).toEqual(['UploadRequested']);
  });
});
