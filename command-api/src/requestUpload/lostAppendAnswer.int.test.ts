import { describe, it, expect, beforeEach, afterEach } from '@jest/globals';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as tus from 'tus-js-client';
import { createTestEventStore, startTcpProxy, syntheticVideo, type TcpProxy } from '@reelay/testing';
import { startTestCommandApi } from '../testing';

type Api = Awaited<ReturnType<typeof startTestCommandApi>>;

const b64 = (text: string) => Buffer.from(text).toString('base64');
const METADATA = `title ${b64('Pier')},filename ${b64('pier.mp4')},filetype ${b64('video/mp4')}`;
/** Nothing listens there: a connection through the proxy is accepted, then closed. */
const NOWHERE = 1;

/**
 * The append of `UploadRequested` commits, and the network breaks before its answer comes back:
 * the command API cannot tell from the error whether the video was recorded. Found by the
 * Postgres-restart chaos test, where such a video's staged copy was removed as if nothing had
 * been recorded, and the uploader then failed it (STAGED_COPY_MISSING). Postgres sits behind a
 * TCP proxy that lets the append through and loses the answer to it.
 */
describe('an upload whose recording committed but whose answer was lost', () => {
  let events: Awaited<ReturnType<typeof createTestEventStore>>;
  let proxy: TcpProxy;
  let stagingDir: string;
  let api: Api;
  /** Set by a test just before the request whose append's answer is to be lost. */
  let loseTheNextAppend: { readonly andStayDown: boolean } | undefined;

  beforeEach(async () => {
    events = await createTestEventStore();
    const database = new URL(events.url);
    proxy = await startTcpProxy(database.hostname, Number(database.port), {
      loseReplyTo: (sent) => {
        if (!loseTheNextAppend || !sent.includes('reelay_append')) return false;
        // Postgres stays out of reach from the moment the append is sent: no read can tell what happened.
        if (loseTheNextAppend.andStayDown) proxy.retarget('127.0.0.1', NOWHERE);
        return true;
      },
    });
    database.port = String(proxy.port);
    stagingDir = await mkdtemp(path.join(os.tmpdir(), 'reelay-lost-answer-'));
    api = await startTestCommandApi({ shareWith: { databaseUrl: database.toString(), stagingDir } });
    loseTheNextAppend = undefined;
  });
  afterEach(async () => {
    await api.dispose();
    await proxy.close();
    await events.dispose();
    await rm(stagingDir, { recursive: true, force: true });
  });

  const bringPostgresBack = () => proxy.retarget('127.0.0.1', Number(new URL(events.url).port));
  const auth = async () => ({ authorization: `Bearer ${await api.tokenFor('alice')}` });
  const post = async (video: Buffer, idempotencyKey: string) =>
    fetch(`${api.url}/v1/videos?title=Pier&fileName=pier.mp4`, {
      method: 'POST',
      headers: { ...(await auth()), 'content-type': 'video/mp4', 'idempotency-key': idempotencyKey },
      body: video,
    });
  /** The one `UploadRequested` recorded, read straight from the database (not through the proxy). */
  const recorded = async () => {
    const all = await events.pool.query<{ type: string; stream_name: string; data: { stagingRef: string } }>('select type, stream_name, data from event_log');
    return all.rows.map((row) => ({ type: row.type, stream: row.stream_name, stagingRef: row.data.stagingRef }));
  };
  const stagedRefs = async () => (await api.staging.list()).map((ref) => path.basename(ref));

  it('POST: finds its event in the log and answers 202, the staged copy kept for the uploader', async () => {
    loseTheNextAppend = { andStayDown: false };
    const response = await post(syntheticVideo(200_000), 'pier-1');

    expect(proxy.replyLost()).toBe(true);
    expect(response.status).toBe(202);
    const { videoId } = (await response.json()) as { videoId: string };
    const [event, ...more] = await recorded();
    expect({ event, more }).toEqual({ event: { type: 'UploadRequested', stream: `video-${videoId}`, stagingRef: expect.any(String) }, more: [] });
    expect(await stagedRefs()).toEqual([path.basename(event!.stagingRef)]);
  });

  it('POST: when the log cannot be read either, answers a 503 that says so, keeps the staged copy, and the same Idempotency-Key then gets the video', async () => {
    const video = syntheticVideo(200_000);
    loseTheNextAppend = { andStayDown: true };
    const lost = await post(video, 'pier-2');

    expect(proxy.replyLost()).toBe(true);
    expect([lost.status, lost.headers.get('content-type')]).toEqual([503, expect.stringMatching(/^application\/problem\+json/)]);
    expect(((await lost.json()) as { detail: string }).detail).toMatch(/may or may not have been.*same Idempotency-Key/);
    const [event] = await recorded();
    expect(await stagedRefs()).toEqual([path.basename(event!.stagingRef)]);

    bringPostgresBack();
    loseTheNextAppend = undefined;
    const retried = await post(video, 'pier-2');
    expect(retried.status).toBe(202);
    expect(`video-${((await retried.json()) as { videoId: string }).videoId}`).toBe(event?.stream);
    expect((await recorded()).map((row) => row.type)).toEqual(['UploadRequested']);
    expect(await stagedRefs()).toEqual([path.basename(event!.stagingRef)]);
  });

  it('tus: the last PATCH answers 503, keeps the bytes, and the client\'s HEAD then finds the video complete', async () => {
    const headers = { ...(await auth()), 'tus-resumable': '1.0.0' };
    const video = syntheticVideo(200_000);
    const created = await fetch(`${api.url}/v1/uploads`, { method: 'POST', headers: { ...headers, 'upload-length': String(video.length), 'upload-metadata': METADATA } });
    expect(created.status).toBe(201);
    const location = `${api.url}${created.headers.get('location')}`;
    loseTheNextAppend = { andStayDown: true };
    const last = await fetch(location, {
      method: 'PATCH',
      headers: { ...headers, 'upload-offset': '0', 'content-type': 'application/offset+octet-stream' },
      body: video,
    });

    expect(proxy.replyLost()).toBe(true);
    expect(last.status).toBe(503);
    expect(await last.text()).toMatch(/may or may not have been.*HEAD/);
    bringPostgresBack();
    loseTheNextAppend = undefined;
    const head = await fetch(location, { method: 'HEAD', headers });
    expect({ status: head.status, offset: head.headers.get('upload-offset') }).toEqual({ status: 200, offset: String(video.length) });
    const [event, ...more] = await recorded();
    expect({ event, more }).toEqual({ event: { type: 'UploadRequested', stream: `video-${head.headers.get('reelay-video-id')}`, stagingRef: expect.any(String) }, more: [] });
    expect(await stagedRefs()).toEqual([path.basename(event!.stagingRef)]);
  });

  it('tus-js-client, a client we did not write, gets past the 503 by itself: its retry finds the upload complete and the video recorded once', async () => {
    const video = syntheticVideo(300_000);
    const statuses: string[] = [];
    let videoId: string | null = null;
    loseTheNextAppend = { andStayDown: true };
    await new Promise<void>((resolve, reject) => {
      void auth().then(({ authorization }) =>
        new tus.Upload(video, {
          endpoint: `${api.url}/v1/uploads`,
          headers: { authorization },
          metadata: { title: 'Pier', filename: 'pier.mp4', filetype: 'video/mp4' },
          retryDelays: [200, 500, 1000],
          onAfterResponse(request, response) {
            statuses.push(`${request.getMethod()} ${response.getStatus()}`);
            // Postgres is back once the client has its 503, as after a restart.
            if (response.getStatus() === 503) bringPostgresBack();
            videoId ??= response.getHeader('Reelay-Video-Id') || null;
          },
          onSuccess: () => resolve(),
          onError: reject,
        }).start(),
      );
    });

    expect(proxy.replyLost()).toBe(true);
    expect(statuses).toEqual(['POST 201', 'PATCH 503', 'HEAD 200']);
    const [event, ...more] = await recorded();
    expect({ event, more }).toEqual({ event: { type: 'UploadRequested', stream: `video-${videoId}`, stagingRef: expect.any(String) }, more: [] });
    expect(await stagedRefs()).toEqual([path.basename(event!.stagingRef)]);
  });
});
