import { describe, it, expect, beforeAll, beforeEach, afterEach } from '@jest/globals';
import http from 'node:http';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Knex } from 'knex';
import { UserId } from '@reelay/contracts';
import { PROJECT_ROOT, PersonalDataVault, createKnex, createLogger } from '@reelay/platform';
import { createTestObjectStorage, type TestObjectStorage } from '@reelay/testing';
import { PostgresLocker } from '@reelay/command-api';
import { startTestCommandApi } from '@reelay/command-api/testing';
import { forgetUser, type ForgetReport, type ForgetUserDeps } from './forgetUser';

type Api = Awaited<ReturnType<typeof startTestCommandApi>>;

const SAMPLE = path.join(PROJECT_ROOT, 'system/fixtures/sample.mp4');
const b64 = (text: string) => Buffer.from(text).toString('base64');
const metadata = (title: string) => `title ${b64(title)},filename ${b64(`${title}.mp4`)},filetype ${b64('video/mp4')}`;

/**
 * `reelay forget-user` against a real command API (both kinds of staging): intake stops for the
 * user at the forget's mark and after, what was recorded before it is found and deleted, and
 * nothing of their tus uploads is left.
 */
describe.each(['file', 's3'] as const)('forget-user and the command API on %s staging', (stagingKind) => {
  let api: Api;
  let knex: Knex;
  let locker: PostgresLocker;
  let objects: TestObjectStorage;
  let deps: ForgetUserDeps;
  let video: Buffer;
  let tokens: Record<string, string>;

  beforeAll(async () => {
    video = await readFile(SAMPLE);
  });

  beforeEach(async () => {
    api = await startTestCommandApi({ stagingKind, maxUploadBytes: 64 * 1024 * 1024, limits: { maxConcurrentUploadsPerUser: 20 } });
    // The CLI is another process: its own connections, the same database, staging and KEK.
    knex = createKnex(api.databaseUrl, { max: 4 });
    locker = new PostgresLocker({ connectionString: api.databaseUrl, applicationName: 'reelay-test-cli-tus-locks', logger: createLogger('forget-test', 'silent') });
    await locker.start();
    objects = await createTestObjectStorage();
    deps = { store: api.store, knex, vault: PersonalDataVault.fromConfig(knex, {}), staging: api.staging, tusArea: api.area, tusLocker: locker, objectStorage: () => objects.storage };
    tokens = { alice: await api.tokenFor('alice'), bob: await api.tokenFor('bob') };
  });

  afterEach(async () => {
    await locker.stop();
    await knex.destroy();
    await api.dispose();
    await objects.cleanup();
  });

  const forget = (userId: string): Promise<ForgetReport> => forgetUser(deps, UserId.parse(userId), 'test');
  const tusHeaders = (userId: string) => ({ authorization: `Bearer ${tokens[userId]}`, 'tus-resumable': '1.0.0' });

  function post(userId: string, title: string) {
    return fetch(`${api.url}/v1/videos?title=${encodeURIComponent(title)}&fileName=${encodeURIComponent(title)}.mp4`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens[userId]}`, 'content-type': 'video/mp4' },
      body: video,
    });
  }

  /** POST /v1/videos sending the first 64 KiB at once and the rest after `pauseMs`, as a slow phone would. */
  function postSlowly(userId: string, title: string, pauseMs: number): Promise<{ status: number; body: { videoId?: string; detail?: string } }> {
    const url = new URL(`${api.url}/v1/videos?title=${encodeURIComponent(title)}&fileName=x.mp4`);
    return new Promise((resolve, reject) => {
      const request = http.request(
        { host: url.hostname, port: url.port, path: url.pathname + url.search, method: 'POST', headers: { authorization: `Bearer ${tokens[userId]}`, 'content-type': 'video/mp4', 'content-length': video.length } },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => resolve({ status: response.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString() || '{}') }));
        },
      );
      request.on('error', reject);
      request.write(video.subarray(0, 64 * 1024));
      setTimeout(() => request.end(video.subarray(64 * 1024)), pauseMs);
    });
  }

  async function createTus(userId: string, title: string, firstBytes?: Buffer) {
    const response = await fetch(`${api.url}/v1/uploads`, {
      method: 'POST',
      headers: { ...tusHeaders(userId), 'upload-length': String(video.length), 'upload-metadata': metadata(title), ...(firstBytes ? { 'content-type': 'application/offset+octet-stream' } : {}) },
      body: firstBytes,
    });
    return { response, location: `${api.url}${response.headers.get('location')}`, videoId: response.headers.get('reelay-video-id') ?? '' };
  }

  const patchRest = (userId: string, location: string, offset: number) =>
    fetch(location, { method: 'PATCH', headers: { ...tusHeaders(userId), 'upload-offset': String(offset), 'content-type': 'application/offset+octet-stream' }, body: video.subarray(offset) });

  const eventTypesOf = async (videoId: string) => (await api.store.readStream(`video-${videoId}`)).map((event) => event.type);
  const uploadRequestedCount = async () => (await api.allEvents()).filter((type) => type === 'UploadRequested').length;

  it('refuses POST /v1/videos and tus creation once the user is forgotten: 403 problem+json, no event, nothing staged', async () => {
    expect((await post('alice', 'Lake')).status).toBe(202);
    await forget('alice');
    const recordedBefore = await uploadRequestedCount();
    const stagedBefore = await api.everythingStaged();
    expect(stagedBefore).toEqual([]); // the video's staged copy went with it

    const posted = await post('alice', 'Again');
    expect(posted.status).toBe(403);
    expect(posted.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await posted.json()).toMatchObject({ status: 403, detail: expect.stringMatching(/account of user alice was erased.*nothing was recorded/) });

    const created = await createTus('alice', 'Again by tus', video.subarray(0, 64 * 1024));
    expect(created.response.status).toBe(403);
    expect(created.response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(created.response.headers.get('tus-resumable')).toBe('1.0.0');
    expect(await created.response.json()).toMatchObject({ detail: expect.stringMatching(/erased/) });

    expect(await uploadRequestedCount()).toBe(recordedBefore);
    expect(await api.everythingStaged()).toEqual([]);
    expect(await knex('tus_open_uploads').where({ user_id: 'alice' }).select('upload_id')).toEqual([]);
    // Another user is not concerned.
    expect((await post('bob', 'Forty')).status).toBe(202);
  });

  it('removes tus uploads begun before the forget, records and bytes, so that HEAD and PATCH answer 404 and nothing can be finished', async () => {
    const half = Math.floor(video.length / 2);
    const unfinished = await createTus('alice', 'Secret lake', video.subarray(0, half));
    expect(unfinished.response.status).toBe(201);
    const finished = await createTus('alice', 'Secret hike', video);
    expect(finished.response.status).toBe(201);
    const bobs = await createTus('bob', 'Bob unfinished', video.subarray(0, half));
    const staged = await api.everythingStaged();
    // The records keep what was typed, as tus stores it: the reason they must go.
    expect(staged.some((name) => name.includes(unfinished.videoId) && /\.(json|info)$/.test(name))).toBe(true);
    expect(staged.some((name) => name.includes(finished.videoId) && /\.(json|info)$/.test(name))).toBe(true);

    const report = await forget('alice');

    expect(report.tusUploadsRemoved).toBe(2);
    expect(report.videoIds).toEqual([finished.videoId]);
    expect((await fetch(unfinished.location, { method: 'HEAD', headers: tusHeaders('alice') })).status).toBe(404);
    const resumed = await patchRest('alice', unfinished.location, half);
    expect(resumed.status).toBe(404);
    expect(await eventTypesOf(unfinished.videoId)).toEqual([]);
    expect(await eventTypesOf(finished.videoId)).toEqual(['UploadRequested', 'VideoDeleted']);
    expect((await api.everythingStaged()).filter((name) => !name.includes(bobs.videoId))).toEqual([]);
    expect(await knex('tus_open_uploads').where({ user_id: 'alice' }).select('upload_id')).toEqual([]);
    // Bob's upload is his to finish.
    expect((await patchRest('bob', bobs.location, half)).status).toBe(204);
  });

  it('deletes every upload recorded while the forget runs and refuses the others; none is left with its bytes', async () => {
    expect((await post('alice', 'First')).status).toBe(202);
    // Tus uploads waiting for their last bytes, and bodies still arriving, when the forget starts.
    const half = Math.floor(video.length / 2);
    const tus = await Promise.all(Array.from({ length: 4 }, (_, index) => createTus('alice', `tus ${index}`, video.subarray(0, half))));
    const posts = Array.from({ length: 10 }, (_, index) => postSlowly('alice', `post ${index}`, 40 * index));
    const patches = tus.map(async (upload, index) => {
      await sleep(60 * index);
      return { videoId: upload.videoId, status: (await patchRest('alice', upload.location, half)).status };
    });
    await sleep(120);
    const report = await forget('alice');
    const posted = await Promise.all(posts);
    const patched = await Promise.all(patches);

    const outcomes = [...posted.map((answer) => answer.status), ...patched.map((answer) => answer.status)];
    // 202/204: recorded before the mark, so found and deleted; 403: refused at recording; 404: a
    // tus upload the forget removed before its PATCH came; 400: a PATCH the forget stopped (tus'
    // "aborted": it took the upload's lock to remove it).
    expect(outcomes.filter((status) => ![202, 204, 400, 403, 404].includes(status))).toEqual([]);
    const recorded = [...posted.filter((answer) => answer.status === 202).map((answer) => answer.body.videoId!), ...patched.filter((answer) => answer.status === 204).map((answer) => answer.videoId)];
    for (const videoId of recorded) {
      expect(report.videoIds).toContain(videoId);
      expect((await eventTypesOf(videoId)).at(-1)).toBe('VideoDeleted');
    }
    for (const answer of patched.filter((each) => each.status !== 204)) expect(await eventTypesOf(answer.videoId)).toEqual([]);
    expect(await uploadRequestedCount()).toBe(1 + recorded.length);
    // No staged copy, tus record or unfinished upload of hers is left in staging.
    expect(await api.everythingStaged()).toEqual([]);
    process.stdout.write(`forget race on ${stagingKind}: ${recorded.length} recorded and deleted, ${outcomes.length - recorded.length} refused (${outcomes.join(' ')})\n`);
  });
});
