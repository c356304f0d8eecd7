import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { asVideoEvent, ERASED_TEXT, isSealedText, videoIdOfStream, type RecordedVideoEvent } from '@reelay/contracts';
import { PROJECT_ROOT, PersonalDataVault, createKnex, createPool } from '@reelay/platform';
import { PostgresEventStore } from '@reelay/event-store';
import { createTestS3Client, eventually, readWholeLog } from '@reelay/testing';
import type { OneSignalStandIn } from '@reelay/notifier/testing';
import { foldInOrder } from '@reelay/projector';
import { postVideo, readVideo, startTestSystem, type RunningSystem, type TestSystem } from '../testing';

const SECRET = 'e2e-forget-secret-long-enough-for-hs256-0123456789';
const SAMPLE = path.join(PROJECT_ROOT, 'system/fixtures/sample.mp4');
const run = promisify(execFile);

interface VideoBody {
  status: string;
  metaInfo: { title: string; fileName: string };
}

describe('reelay forget-user on the whole system', () => {
  let sut: TestSystem;
  let system: RunningSystem;
  let oneSignal: OneSignalStandIn;
  let databaseUrl: string;
  const s3 = createTestS3Client();

  beforeAll(async () => {
    sut = await startTestSystem({ oneSignal: true, secret: SECRET, env: { PERSONAL_DATA_KEK: randomBytes(32).toString('base64') } });
    ({ system } = sut);
    oneSignal = sut.oneSignal!;
    databaseUrl = sut.env.DATABASE_URL!;
  }, 180_000);

  afterAll(async () => {
    const code = await sut?.dispose();
    s3.destroy();
    expect(code).toBe(0);
  }, 60_000);

  /** The real bin, as an operator runs it, on the system's configuration. */
  function reelay(...args: string[]) {
    return run(process.execPath, [path.join(PROJECT_ROOT, 'cli/bin/reelay.cjs'), ...args], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, ...sut.env, DATA_DIR: system.dataDir, LOG_LEVEL: 'warn' },
    }).then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
    );
  }

  async function upload(userId: string, title: string, fileName: string) {
    const token = await sut.tokenFor(userId);
    const response = await postVideo(system, token, await readFile(SAMPLE), { title, fileName });
    expect(response.status).toBe(202);
    const { videoId } = (await response.json()) as { videoId: string };
    const read = async (): Promise<VideoBody> => {
      const body = await readVideo<VideoBody>(system, token, videoId);
      if (!body) throw new Error(`GET ${videoId}: 404`);
      return body;
    };
    return { videoId, read };
  }

  const objectExists = (videoId: string) =>
    s3.send(new HeadObjectCommand({ Bucket: sut.bucket, Key: `videos/${videoId}` })).then(
      () => true,
      () => false,
    );

  it('erases one user’s titles and file names everywhere, deletes their objects, and leaves the log and the other user as they were', async () => {
    const alice = await upload('alice', 'Alice at the lake', 'alice-lake.mp4');
    const bob = await upload('bob', 'Bob turns forty', 'bob-forty.mp4');
    for (const video of [alice, bob]) await eventually(async () => expect((await video.read()).status).toBe('UPLOADED'), 60_000);
    expect((await alice.read()).metaInfo).toMatchObject({ title: 'Alice at the lake', fileName: 'alice-lake.mp4' });
    // The notifier opened the sealed title for the push.
    await oneSignal.waitForRequests(2, 20_000);
    expect(JSON.stringify(oneSignal.requests.map((request) => request.body))).toContain('Alice at the lake');

    const pool = createPool(databaseUrl, { max: 2 });
    const knex = createKnex(databaseUrl, { max: 2 });
    const store = new PostgresEventStore(pool);
    try {
      // What the log held before: sealed, never plaintext.
      const before = (await pool.query<{ event_id: string; data: string }>('select event_id, data::text from event_log order by position')).rows;
      const everything = () => pool.query<{ text: string }>(`select string_agg(data::text || metadata::text, ' ') as text from event_log`);
      expect((await everything()).rows[0]?.text).not.toMatch(/lake|forty/i);

      const forgotten = await reelay('forget-user', 'alice', '--requested-by', 'ticket GDPR-7');
      expect(forgotten).toMatchObject({ code: 0 });
      expect(forgotten.stdout).toMatch(/^forgot user alice; recorded UserForgotten in user-alice: 1 video known, 1 data key destroyed, 1 read-model row scrubbed, 1 video deleted, 1 object gone from S3/);

      // The read model, through the query API: erased and deleted; bob's untouched.
      const erased = await eventually(async () => {
        const body = await alice.read();
        expect(body.status).toBe('DELETED');
        return body;
      });
      expect(erased.metaInfo).toMatchObject({ title: ERASED_TEXT, fileName: ERASED_TEXT });
      expect((await bob.read()).metaInfo).toMatchObject({ title: 'Bob turns forty', fileName: 'bob-forty.mp4' });
      const rows = await knex('video_info').select('user_id', knex.raw('meta_info::text as meta'));
      expect(rows.filter((row: { meta: string }) => /lake/i.test(row.meta))).toEqual([]);

      // The log: every event of before is still there, byte for byte; the ciphertext stays.
      const after = (await pool.query<{ event_id: string; data: string }>('select event_id, data::text from event_log order by position')).rows;
      expect(after.slice(0, before.length)).toEqual(before);
      expect(after.length).toBeGreaterThan(before.length);
      const log = await readWholeLog(store, after.length);
      const aliceRequest = log.find((event) => event.type === 'UploadRequested' && videoIdOfStream(event.streamName) === alice.videoId);
      expect(isSealedText((aliceRequest?.data as { metaInfo: { title: string } } | undefined)?.metaInfo.title ?? '')).toBe(true);
      expect(log.filter((event) => event.type === 'UserForgotten').map((event) => [event.streamName, event.data])).toEqual([
        ['user-alice', expect.objectContaining({ userId: 'alice', videoCount: 1, requestedBy: 'ticket GDPR-7' })],
      ]);
      expect(JSON.stringify(log)).not.toMatch(/lake/i);

      // A fresh replay of the whole log through the projector's decrypt step and fold.
      const vault = PersonalDataVault.fromConfig(knex, sut.env);
      const videoEvents = log.filter((event) => videoIdOfStream(event.streamName)).map(asVideoEvent);
      const replayed = new Map<string, RecordedVideoEvent[]>();
      for (const event of await knex.transaction((trx) => vault.openVideoEvents(videoEvents, { transaction: trx }))) {
        replayed.set(event.streamName, [...(replayed.get(event.streamName) ?? []), event]);
      }
      const rowOf = (videoId: string) => foldInOrder(undefined, replayed.get(`video-${videoId}`) ?? []);
      expect(rowOf(alice.videoId)?.metaInfo).toMatchObject({ title: ERASED_TEXT, fileName: ERASED_TEXT });
      expect(rowOf(bob.videoId)?.metaInfo).toMatchObject({ title: 'Bob turns forty', fileName: 'bob-forty.mp4' });

      // The operators' tools agree: the log verifies (its hashes are over the ciphertext), the
      // stream shows no plaintext, the read model equals a replay, and a rebuild keeps the erasure.
      expect(await reelay('verify', 'log')).toMatchObject({ code: 0 });
      const history = await reelay('stream', alice.videoId, '--json');
      expect(history.code).toBe(0);
      expect(history.stdout).toMatch(/sealed:v1:/);
      expect(history.stdout).not.toMatch(/lake/i);
      expect(await reelay('verify', 'read-model')).toMatchObject({ code: 0 });
      expect(await reelay('projections', 'rebuild', 'video_info')).toMatchObject({ code: 0 });
      expect((await alice.read()).metaInfo).toMatchObject({ title: ERASED_TEXT, fileName: ERASED_TEXT });
      expect((await bob.read()).metaInfo).toMatchObject({ title: 'Bob turns forty', fileName: 'bob-forty.mp4' });

      // The bytes: alice's object gone, bob's still there.
      expect(await objectExists(alice.videoId)).toBe(false);
      expect(await objectExists(bob.videoId)).toBe(true);

      // Twice is safe and says so; an unknown user is refused, with nothing changed.
      const again = await reelay('forget-user', 'alice');
      expect(again).toMatchObject({ code: 0 });
      expect(again.stdout).toMatch(/^user alice was already forgotten; checked again: 1 video known, 0 data keys destroyed/);
      const unknown = await reelay('forget-user', 'nobody-of-that-name');
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toMatch(/no user "nobody-of-that-name" is known.*nothing was changed/);
      expect((await pool.query('select count(*)::int as count from event_log where type = $1', ['UserForgotten'])).rows[0].count).toBe(1);
    } finally {
      await knex.destroy();
      await store.close();
      await pool.end();
    }
  });

  it('stops intake for the user, leaves no tus upload of theirs, and changes an ETag a client held from before', async () => {
    const token = await sut.tokenFor('carol');
    const video = await readFile(SAMPLE);
    const tus = { authorization: `Bearer ${token}`, 'tus-resumable': '1.0.0' };
    const b64 = (text: string) => Buffer.from(text).toString('base64');

    // A video deleted before the forget: no event of it is left to come and change its revision.
    const clip = await upload('carol', 'Carol’s old clip', 'carol-old.mp4');
    await eventually(async () => expect((await clip.read()).status).toBe('UPLOADED'), 60_000);
    expect((await fetch(`${system.commandApi}/v1/videos/${clip.videoId}`, { method: 'DELETE', headers: { authorization: `Bearer ${token}` } })).status).toBe(202);
    const held = await eventually(async () => {
      const response = await fetch(`${system.queryApi}/v1/videos/${clip.videoId}`, { headers: { authorization: `Bearer ${token}` } });
      const body = (await response.json()) as VideoBody;
      expect(body).toMatchObject({ status: 'DELETED', metaInfo: { title: 'Carol’s old clip' } });
      return response.headers.get('etag') as string;
    });
    expect((await fetch(`${system.queryApi}/v1/videos/${clip.videoId}`, { headers: { authorization: `Bearer ${token}`, 'if-none-match': held } })).status).toBe(304);

    // A tus upload half sent: its record keeps the title as sent.
    const half = Math.floor(video.length / 2);
    const created = await fetch(`${system.commandApi}/v1/uploads`, {
      method: 'POST',
      headers: { ...tus, 'upload-length': String(video.length), 'upload-metadata': `title ${b64('Carol’s draft')},filename ${b64('draft.mp4')},filetype ${b64('video/mp4')}`, 'content-type': 'application/offset+octet-stream' },
      body: video.subarray(0, half),
    });
    expect(created.status).toBe(201);
    const location = `${system.commandApi}${created.headers.get('location')}`;

    const forgotten = await reelay('forget-user', 'carol');
    expect(forgotten).toMatchObject({ code: 0 });
    expect(forgotten.stdout).toMatch(/1 tus upload removed/);

    // The ETag of the title no longer matches: the erased row is sent.
    await eventually(async () => {
      const response = await fetch(`${system.queryApi}/v1/videos/${clip.videoId}`, { headers: { authorization: `Bearer ${token}`, 'if-none-match': held } });
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ status: 'DELETED', metaInfo: { title: ERASED_TEXT, fileName: ERASED_TEXT } });
    });
    // The tus upload is gone and cannot be finished.
    expect((await fetch(location, { method: 'HEAD', headers: tus })).status).toBe(404);
    const patched = await fetch(location, { method: 'PATCH', headers: { ...tus, 'upload-offset': String(half), 'content-type': 'application/offset+octet-stream' }, body: video.subarray(half) });
    expect(patched.status).toBe(404);
    // New uploads are refused, both ways, with nothing recorded.
    const pool = createPool(databaseUrl, { max: 1 });
    try {
      const requests = async () => (await pool.query<{ count: number }>(`select count(*)::int as count from event_log where type = 'UploadRequested' and data->>'userId' = 'carol'`)).rows[0]?.count;
      const before = await requests();
      const posted = await postVideo(system, token, video, { title: 'Carol again', fileName: 'again.mp4' });
      expect(posted.status).toBe(403);
      expect(posted.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(await posted.json()).toMatchObject({ detail: expect.stringMatching(/erased/) });
      const again = await fetch(`${system.commandApi}/v1/uploads`, { method: 'POST', headers: { ...tus, 'upload-length': String(video.length), 'upload-metadata': `filename ${b64('again.mp4')}` } });
      expect(again.status).toBe(403);
      expect(await requests()).toBe(before);
    } finally {
      await pool.end();
    }
  });
});
