import { describe, it, expect, beforeEach, afterEach } from '@jest/globals';
import http from 'node:http';
import { asVideoEvent } from '@reelay/contracts';
import { startTestCommandApi } from '../testing';

type Api = Awaited<ReturnType<typeof startTestCommandApi>>;

const b64 = (text: string) => Buffer.from(text).toString('base64');
const METADATA = (title: string) => `title ${b64(title)},filename ${b64(`${title}.mp4`)},filetype ${b64('video/mp4')}`;

interface Answer {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
}

/** Sends `path` on the wire as it is (no URL normalisation), as an attacker's own client would. */
function send(api: Api, method: string, path: string, headers: Record<string, string>, body?: Buffer): Promise<Answer> {
  const { port } = new URL(api.url);
  return new Promise((resolve, reject) => {
    const request = http.request({ host: '127.0.0.1', port, method, path, headers: body ? { ...headers, 'content-length': String(body.length) } : headers }, (response) => {
      response.resume();
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers }));
    });
    request.on('error', reject);
    request.end(body);
  });
}

/** An MP4-looking body: an ftyp box, then filler. */
function mp4(size: number): Buffer {
  const bytes = Buffer.alloc(size, 9);
  bytes.write('\x00\x00\x00\x18ftypisom', 0, 'latin1');
  return bytes;
}

/**
 * The takeover issue 12 reported: fastify authorised the id in `:uploadId`, while @tus/server
 * acted on the last segment of the whole URL, query included. `/v1/uploads/<own>?x=/<victim's>`
 * passed the owner check on the attacker's upload and reached the victim's.
 */
describe('one reading of a tus request: the upload authorised is the upload acted on', () => {
  let api: Api;
  let alice: Record<string, string>;
  let mallory: Record<string, string>;
  let victim: string;
  let own: string;
  const victimBytes = mp4(20_000);

  beforeEach(async () => {
    api = await startTestCommandApi();
    alice = { authorization: `Bearer ${await api.tokenFor('alice')}`, 'tus-resumable': '1.0.0' };
    mallory = { authorization: `Bearer ${await api.tokenFor('mallory')}`, 'tus-resumable': '1.0.0' };
    const create = async (headers: Record<string, string>, title: string) => {
      const created = await send(api, 'POST', '/v1/uploads', { ...headers, 'upload-length': String(victimBytes.length), 'upload-metadata': METADATA(title) });
      expect(created.status).toBe(201);
      return String(created.headers.location).split('/').pop() ?? '';
    };
    victim = await create(alice, 'Alice private');
    own = await create(mallory, 'Mallory');
  });
  afterEach(async () => {
    await api.dispose();
  });

  it("answers HEAD on the attacker's own URL with the victim's id in the query about the attacker's upload, never the victim's", async () => {
    const answer = await send(api, 'HEAD', `/v1/uploads/${own}?x=/${victim}`, mallory);

    // Before the fix: 200 with the victim's Upload-Metadata (title, file name, user id).
    expect(answer.status).toBe(200);
    expect(answer.headers['upload-metadata']).toContain(b64('Mallory'));
    expect(answer.headers['upload-metadata']).not.toContain(b64('Alice private'));
    expect(answer.headers['upload-metadata']).not.toContain(b64('alice'));
  });

  it("writes the attacker's bytes only into the attacker's own upload, and records that video under the attacker", async () => {
    const answer = await send(
      api,
      'PATCH',
      `/v1/uploads/${own}?x=/${victim}`,
      { ...mallory, 'upload-offset': '0', 'content-type': 'application/offset+octet-stream' },
      victimBytes,
    );

    // Before the fix: the bytes went into the victim's upload, whose video was recorded under mallory with alice's title.
    expect(answer.status).toBe(204);
    expect(answer.headers['reelay-video-id']).toBe(own.slice(0, 36));
    const victimState = await send(api, 'HEAD', `/v1/uploads/${victim}`, alice);
    expect(victimState.headers['upload-offset']).toBe('0');
    expect(await api.store.readStream(`video-${victim.slice(0, 36)}`)).toEqual([]);
    const [stored] = await api.store.readStream(`video-${own.slice(0, 36)}`);
    const [event] = await api.personalData.openVideoEvents([asVideoEvent(stored!)]);
    expect(event?.data).toMatchObject({ userId: 'mallory', metaInfo: { title: 'Mallory' } });
    expect(await api.allEvents()).toEqual(['UploadRequested']);
  });

  it.each(['HEAD', 'PATCH', 'DELETE'])("answers %s on the victim's upload, whatever precedes it in the URL, with 404 and leaves it as it was", async (method) => {
    for (const target of [`/v1/uploads/${victim}`, `/v1/uploads/${victim}?x=/${own}`, `/v1/uploads/${own}%2F..%2F${victim}`, `/v1/uploads/${own}/../${victim}`]) {
      const answer = await send(api, method, target, { ...mallory, 'upload-offset': '0', 'content-type': 'application/offset+octet-stream' }, method === 'PATCH' ? victimBytes : undefined);
      expect(`${target} ${answer.status}`).toBe(`${target} 404`);
    }
    const victimState = await send(api, 'HEAD', `/v1/uploads/${victim}`, alice);
    expect(victimState.status).toBe(200);
    expect(victimState.headers['upload-offset']).toBe('0');
    expect(await api.allEvents()).toEqual([]);
  });

  it('takes the owner from the token, never from a userId the client puts in Upload-Metadata', async () => {
    const forged = `${METADATA('Forged')},userId ${b64('alice')}`;
    const created = await send(api, 'POST', '/v1/uploads', { ...mallory, 'upload-length': String(victimBytes.length), 'upload-metadata': forged });
    expect(created.status).toBe(201);
    const name = String(created.headers.location).split('/').pop() ?? '';

    expect((await send(api, 'HEAD', `/v1/uploads/${name}`, alice)).status).toBe(404);
    const finished = await send(api, 'PATCH', `/v1/uploads/${name}`, { ...mallory, 'upload-offset': '0', 'content-type': 'application/offset+octet-stream' }, victimBytes);
    expect(finished.status).toBe(204);
    const [stored] = await api.store.readStream(`video-${name.slice(0, 36)}`);
    const [event] = await api.personalData.openVideoEvents([asVideoEvent(stored!)]);
    expect(event?.data).toMatchObject({ userId: 'mallory', metaInfo: { title: 'Forged' } });
  });

  it('records a finished upload under its creator, whoever the store is asked for', async () => {
    const finished = await send(api, 'PATCH', `/v1/uploads/${victim}`, { ...alice, 'upload-offset': '0', 'content-type': 'application/offset+octet-stream' }, victimBytes);
    expect(finished.status).toBe(204);

    const [stored] = await api.store.readStream(`video-${victim.slice(0, 36)}`);
    const [event] = await api.personalData.openVideoEvents([asVideoEvent(stored!)]);
    expect(event?.data).toMatchObject({ userId: 'alice', metaInfo: { title: 'Alice private' } });
  });
});
