import { describe, it, expect, beforeAll, afterAll, beforeEach, afterEach } from '@jest/globals';
import { startTestCommandApi } from '../testing';

type Api = Awaited<ReturnType<typeof startTestCommandApi>>;

const b64 = (text: string) => Buffer.from(text).toString('base64');
const METADATA = `title ${b64('Holiday')},filename ${b64('holiday.mp4')},filetype ${b64('video/mp4')}`;
const LENGTH = 10_000;

/** An MP4-looking body: an ftyp box, then filler. */
function mp4(size: number): Buffer {
  const bytes = Buffer.alloc(size, 9);
  bytes.write('\x00\x00\x00\x18ftypisom', 0, 'latin1');
  return bytes;
}

async function auth(api: Api, user: string): Promise<Record<string, string>> {
  return { authorization: `Bearer ${await api.tokenFor(user)}`, 'tus-resumable': '1.0.0' };
}

async function create(api: Api, headers: Record<string, string>, extra: Record<string, string> = { 'upload-length': String(LENGTH) }) {
  const response = await fetch(`${api.url}/v1/uploads`, { method: 'POST', headers: { ...headers, 'upload-metadata': METADATA, ...extra } });
  return { response, location: `${api.url}${response.headers.get('location')}` };
}

async function expectProblem(response: Response, status: number, detail: RegExp): Promise<void> {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(response.headers.get('tus-resumable')).toBe('1.0.0');
  expect(((await response.json()) as { detail: string }).detail).toMatch(detail);
}

describe('tus limits: no empty uploads', () => {
  let api: Api;
  beforeAll(async () => {
    api = await startTestCommandApi();
  });
  afterAll(async () => {
    await api.dispose();
  });

  it('refuses Upload-Length: 0 with 400 problem+json, records nothing, keeps nothing and takes no place', async () => {
    const alice = await auth(api, 'alice-empty');
    const { response } = await create(api, alice, { 'upload-length': '0' });

    await expectProblem(response, 400, /Upload-Length is 0/);
    expect(await api.allEvents()).toEqual([]);
    expect(await api.everythingStaged()).toEqual([]);
    expect(await api.openUploads.countOf('alice-empty')).toBe(0);
  });

  it('refuses a deferred length later declared 0, and the upload stays as it was', async () => {
    const alice = await auth(api, 'alice-deferred');
    const { response, location } = await create(api, alice, { 'upload-defer-length': '1' });
    expect(response.status).toBe(201);

    const declared = await fetch(location, { method: 'PATCH', headers: { ...alice, 'upload-offset': '0', 'upload-length': '0', 'content-type': 'application/offset+octet-stream' } });

    await expectProblem(declared, 400, /Upload-Length is 0/);
    const head = await fetch(location, { method: 'HEAD', headers: alice });
    expect(head.headers.get('upload-defer-length')).toBe('1');
    expect(await api.allEvents()).toEqual([]);
  });
});

describe('tus limits: MAX_OPEN_UPLOADS_PER_USER, over every command API process', () => {
  let first: Api;
  let second: Api;
  beforeEach(async () => {
    first = await startTestCommandApi({ maxOpenUploadsPerUser: 2, tusExpirationMs: 60_000 });
    second = await startTestCommandApi({ maxOpenUploadsPerUser: 2, tusExpirationMs: 60_000, shareWith: { databaseUrl: first.databaseUrl, stagingDir: first.stagingDir } });
  });
  afterEach(async () => {
    await second.dispose();
    await first.dispose();
  });

  it('answers a creation beyond the limit with 429 problem+json and Tus-Resumable, whichever process it reaches', async () => {
    const alice = await auth(first, 'alice');
    expect((await create(first, alice)).response.status).toBe(201);
    expect((await create(second, alice)).response.status).toBe(201);

    await expectProblem((await create(first, alice)).response, 429, /at most 2 unfinished uploads/);
    await expectProblem((await create(second, alice)).response, 429, /at most 2 unfinished uploads/);
    // Another user's places are their own.
    expect((await create(second, await auth(second, 'bob'))).response.status).toBe(201);
    expect(await first.openUploads.countOf('alice')).toBe(2);
  });

  it('lets exactly the limit through when creations race on two processes', async () => {
    const alice = await auth(first, 'alice');
    const statuses = await Promise.all(Array.from({ length: 8 }, (_, i) => create(i % 2 ? second : first, alice).then(({ response }) => response.status)));

    expect(statuses.filter((status) => status === 201)).toHaveLength(2);
    expect(statuses.filter((status) => status === 429)).toHaveLength(6);
  });

  it('gives the place back when an upload finishes, is terminated or expires', async () => {
    const alice = await auth(first, 'alice');
    const finished = await create(first, alice);
    const terminated = await create(second, alice);
    await expectProblem((await create(first, alice)).response, 429, /at most 2/);

    const patch = await fetch(finished.location, { method: 'PATCH', headers: { ...alice, 'upload-offset': '0', 'content-type': 'application/offset+octet-stream' }, body: mp4(LENGTH) });
    expect(patch.status).toBe(204);
    const third = await create(second, alice);
    expect(third.response.status).toBe(201);
    await expectProblem((await create(first, alice)).response, 429, /at most 2/);

    expect((await fetch(terminated.location, { method: 'DELETE', headers: alice })).status).toBe(204);
    expect((await create(first, alice)).response.status).toBe(201);
    await expectProblem((await create(second, alice)).response, 429, /at most 2/);

    // Expired: the finished one's record and the two open ones are removed, and their places freed.
    expect(await first.tusStore.deleteExpired(Date.now() + 61_000)).toBe(3);
    expect(await first.openUploads.countOf('alice')).toBe(0);
    expect((await create(second, alice)).response.status).toBe(201);
    expect(await first.allEvents()).toEqual(['UploadRequested']);
  });
});
