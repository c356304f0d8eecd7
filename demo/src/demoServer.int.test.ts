import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { spawn } from 'node:child_process';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { newEvent, videoStreamName } from '@reelay/contracts';
import { PROJECT_ROOT, createLogger, createMetricsRegistry, type HttpApp } from '@reelay/platform';
import { createTokenVerifier, signToken } from '@reelay/platform/auth';
import { createTestEventStore, eventually, freePort } from '@reelay/testing';
import { buildDemoApp } from './app';
import { PushFeed } from './pushFeed';

/** A request as an upstream saw it; `bytes` and `outcome` follow the body while it arrives. */
interface Seen {
  readonly method: string;
  readonly url: string;
  readonly host: string;
  bytes: number;
  sha256: string;
  outcome: 'receiving' | 'complete' | 'aborted';
}

interface Upstream {
  readonly url: string;
  readonly seen: Seen[];
  close(): Promise<void>;
}

/** How an upstream answers once it has read the whole body; by default 200 with who it is. */
type Answer = (request: IncomingMessage, response: ServerResponse, name: string) => void;

const answerWhoItIs: Answer = (_request, response, name) => {
  response.writeHead(200, { 'content-type': 'application/json', location: '/v1/uploads/abc', 'x-request-id': 'the-upstream-id' }).end(JSON.stringify({ upstream: name }));
};

/** An upstream API on loopback that records what reaches it, byte for byte, and answers as told. */
async function recordingUpstream(name: string, answer: Answer = answerWhoItIs): Promise<Upstream> {
  const seen: Seen[] = [];
  const server: Server = createServer((request, response) => {
    const record: Seen = { method: request.method ?? '', url: request.url ?? '', host: request.headers.host ?? '', bytes: 0, sha256: '', outcome: 'receiving' };
    seen.push(record);
    const hash = createHash('sha256');
    request.on('data', (chunk: Buffer) => {
      record.bytes += chunk.length;
      hash.update(chunk);
    });
    request.on('close', () => {
      if (!request.complete) record.outcome = 'aborted';
    });
    request.on('end', () => {
      record.outcome = 'complete';
      record.sha256 = hash.digest('hex');
      answer(request, response, name);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A request sent with node:http, so that its body can be written piece by piece or cut off. */
function rawRequest(base: string, method: string, path: string, headers: Record<string, string | number> = {}) {
  const { hostname, port } = new URL(base);
  const request = httpRequest({ host: hostname, port, method, path, headers });
  const answered = new Promise<IncomingMessage>((resolve, reject) => {
    request.once('response', resolve);
    request.once('error', reject);
  });
  return { request, answered };
}

/** Reads an answer to its end, or to the moment its connection broke. */
function readAnswer(answer: IncomingMessage): Promise<{ body: string; complete: boolean }> {
  return new Promise((resolve) => {
    let body = '';
    answer.on('data', (chunk: Buffer) => (body += chunk.toString()));
    answer.on('error', () => undefined);
    answer.once('close', () => resolve({ body, complete: answer.complete }));
  });
}

describe('the demo server', () => {
  const SECRET = 'demo-int-secret-long-enough-for-hs256-0123456789';
  const verifier = createTokenVerifier({ AUTH_JWT_SECRET: SECRET });
  let events: Awaited<ReturnType<typeof createTestEventStore>>;
  let pushes: PushFeed;
  let command: Upstream;
  let query: Upstream;
  const apps: HttpApp[] = [];
  const upstreams: Upstream[] = [];

  beforeAll(async () => {
    events = await createTestEventStore();
    pushes = new PushFeed(events.store, createLogger('demo-test', 'silent'));
    await pushes.start();
    command = await recordingUpstream('command');
    query = await recordingUpstream('query');
    upstreams.push(command, query);
  });

  afterAll(async () => {
    await Promise.all(apps.map((app) => app.close()));
    await pushes.stop();
    await events.dispose();
    await Promise.all(upstreams.map((upstream) => upstream.close()));
  });

  /** An upstream of this test alone, closed with the others. */
  async function upstream(name: string, answer?: Answer): Promise<Upstream> {
    const started = await recordingUpstream(name, answer);
    upstreams.push(started);
    return started;
  }

  async function start(developmentSignIn: boolean, apis: { commandApiUrl: string; queryApiUrl: string } = { commandApiUrl: command.url, queryApiUrl: query.url }): Promise<string> {
    const app = buildDemoApp({
      logger: createLogger('demo-test', 'silent'),
      metrics: createMetricsRegistry('demo-test'),
      upstreams: apis,
      page: { html: '<!doctype html><title>demo</title>', script: 'void 0;', uppy: { html: '<!doctype html><title>uppy</title>', script: 'void 1;' } },
      pushes,
      verifier: developmentSignIn ? createTokenVerifier({}) : verifier,
      developmentSignIn: developmentSignIn ? {} : undefined,
    });
    apps.push(app);
    return app.listen({ host: '127.0.0.1', port: 0 });
  }

  const signIn = (base: string, userId: unknown) =>
    fetch(`${base}/demo/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userId }) });

  it('signs anyone in by name only in development mode', async () => {
    const development = await start(true);
    const answer = await signIn(development, 'alice');
    expect(answer.status).toBe(200);
    const { token } = (await answer.json()) as { token: string };
    expect(await createTokenVerifier({}).verify(token)).toBe('alice');
    expect(await (await fetch(`${development}/demo/config`)).json()).toEqual({ developmentSignIn: true });
    expect((await signIn(development, '')).status).toBe(400);

    const production = await start(false);
    const refused = await signIn(production, 'alice');
    expect(refused.status).toBe(404);
    expect(refused.headers.get('content-type')).toMatch(/problem\+json/);
    expect(((await refused.json()) as { detail: string }).detail).toMatch(/DEMO_TOKENS=on/);
    expect(await (await fetch(`${production}/demo/config`)).json()).toEqual({ developmentSignIn: false });
  });

  it('sends reads to the query API and everything else under /v1 to the command API, bodies streamed through', async () => {
    const base = await start(false);
    const read = await fetch(`${base}/v1/videos/abc?waitSeconds=1`, { headers: { 'if-none-match': '"x"', 'x-request-id': 'the-client-id' } });
    expect(await read.json()).toEqual({ upstream: 'query' });
    // The demo's request id (here the client's), as its own answers carry.
    expect(read.headers.get('x-request-id')).toBe('the-client-id');
    expect(await (await fetch(`${base}/v1/users/me/videos`)).json()).toEqual({ upstream: 'query' });
    const body = Buffer.alloc(256 * 1024, 7);
    const posted = await fetch(`${base}/v1/videos?title=t&fileName=f.mp4`, { method: 'POST', headers: { 'content-type': 'video/mp4' }, body });
    expect(await posted.json()).toEqual({ upstream: 'command' });
    const patched = await fetch(`${base}/v1/uploads/abc`, { method: 'PATCH', headers: { 'content-type': 'application/offset+octet-stream' }, body });
    expect(await patched.json()).toEqual({ upstream: 'command' });
    // tus's relative Location is passed on as it is, right for this origin.
    expect((await fetch(`${base}/v1/uploads`, { method: 'POST' })).headers.get('location')).toBe('/v1/uploads/abc');
    expect(query.seen.map((s) => `${s.method} ${s.url}`)).toEqual(['GET /v1/videos/abc?waitSeconds=1', 'GET /v1/users/me/videos']);
    expect(command.seen.map((s) => `${s.method} ${s.url} ${s.bytes}`)).toEqual([
      `POST /v1/videos?title=t&fileName=f.mp4 ${body.length}`,
      `PATCH /v1/uploads/abc ${body.length}`,
      'POST /v1/uploads 0',
    ]);
    // The Host header names the API, as @fastify/reply-from set it.
    expect(new Set([...query.seen, ...command.seen].map((s) => s.host))).toEqual(new Set([new URL(query.url).host, new URL(command.url).host]));
  });

  it('passes the path and query on exactly as the client wrote them', async () => {
    const base = await start(false);
    const paths = ['/v1/videos/a%2Fb/..%2F/%2e%2e/c?q=a%20b&q=2&=', '/v1/users/me/videos?cursor=x%3D%3D'];
    for (const path of paths) {
      const { request, answered } = rawRequest(base, 'GET', path);
      request.end();
      expect((await answered).statusCode).toBe(200);
    }
    expect(query.seen.slice(-2).map((s) => s.url)).toEqual(paths);
  });

  it('streams a body of several MiB to the API byte for byte, before the client has finished sending it', async () => {
    const api = await upstream('command');
    const base = await start(false, { commandApiUrl: api.url, queryApiUrl: query.url });
    const body = randomBytes(6 * 1024 * 1024 + 17);
    const { request, answered } = rawRequest(base, 'PATCH', '/v1/uploads/abc', {
      'content-type': 'application/offset+octet-stream',
      'content-length': body.length,
      'upload-offset': 0,
      'tus-resumable': '1.0.0',
    });
    const first = 1024 * 1024;
    request.write(body.subarray(0, first));
    // A proxy that buffered the body would hold these bytes until the end.
    await eventually(() => expect(api.seen[0]?.bytes ?? 0).toBeGreaterThanOrEqual(first));
    expect(api.seen[0]?.outcome).toBe('receiving');
    for (let at = first; at < body.length; at += 256 * 1024) request.write(body.subarray(at, at + 256 * 1024));
    request.end();
    const answer = await answered;
    expect(answer.statusCode).toBe(200);
    expect(JSON.parse((await readAnswer(answer)).body)).toEqual({ upstream: 'command' });
    expect(api.seen).toEqual([expect.objectContaining({ method: 'PATCH', url: '/v1/uploads/abc', bytes: body.length, outcome: 'complete', sha256: createHash('sha256').update(body).digest('hex') })]);
  });

  it("passes tus's relative Location and its headers on untouched", async () => {
    const id = randomUUID().replaceAll('-', '');
    const api = await upstream('command', (request, response) => {
      if (request.method === 'POST') {
        response.writeHead(201, { location: `/v1/uploads/${id}`, 'tus-resumable': '1.0.0', 'upload-offset': '0' }).end();
      } else {
        response.writeHead(200, { 'tus-resumable': '1.0.0', 'upload-offset': '42', 'upload-length': '100', 'cache-control': 'no-store' }).end();
      }
    });
    const base = await start(false, { commandApiUrl: api.url, queryApiUrl: query.url });
    const created = await fetch(`${base}/v1/uploads`, { method: 'POST', headers: { 'tus-resumable': '1.0.0', 'upload-length': '100', 'upload-metadata': 'filename ZmlsZS5tcDQ=' } });
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe(`/v1/uploads/${id}`);
    const head = await fetch(`${base}/v1/uploads/${id}`, { method: 'HEAD', headers: { 'tus-resumable': '1.0.0' } });
    expect([head.status, head.headers.get('upload-offset'), head.headers.get('upload-length'), head.headers.get('tus-resumable')]).toEqual([200, '42', '100', '1.0.0']);
    expect(api.seen.map((s) => `${s.method} ${s.url}`)).toEqual(['POST /v1/uploads', `HEAD /v1/uploads/${id}`]);
  });

  it('answers 502 problem+json that names the API when it cannot be reached or resets before answering', async () => {
    const resetting = await upstream('query', (request) => request.socket.destroy());
    const base = await start(false, { commandApiUrl: `http://127.0.0.1:${await freePort()}`, queryApiUrl: resetting.url });

    const refused = await fetch(`${base}/v1/uploads/abc`, { method: 'PATCH', headers: { 'content-type': 'application/offset+octet-stream' }, body: Buffer.alloc(512 * 1024, 1) });
    expect(refused.status).toBe(502);
    expect(refused.headers.get('content-type')).toBe('application/problem+json');
    expect(refused.headers.get('x-request-id')).toBeTruthy();
    expect(await refused.json()).toEqual({
      type: 'https://reelay.dev/problems/bad-gateway',
      title: 'Bad Gateway',
      status: 502,
      detail: expect.stringMatching(/^the command API refused the connection/),
    });

    const reset = await fetch(`${base}/v1/videos/abc`);
    expect(reset.status).toBe(502);
    expect(((await reset.json()) as { detail: string }).detail).toMatch(/^the query API closed the connection before answering/);
    expect(resetting.seen).toHaveLength(1);
    // The demo itself is still well.
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });

  it("breaks the client's connection when the API breaks off an answer it had started", async () => {
    const breaking = await upstream('query', (_request, response) => {
      response.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': '1000' });
      response.write(Buffer.alloc(100), () => response.socket?.destroy());
    });
    const base = await start(false, { commandApiUrl: command.url, queryApiUrl: breaking.url });
    const { request, answered } = rawRequest(base, 'GET', '/v1/videos/abc/content');
    request.end();
    const answer = await answered;
    expect(answer.statusCode).toBe(200);
    const { body, complete } = await readAnswer(answer);
    expect([body.length, complete]).toEqual([100, false]);
  });

  it('aborts the request to the API when the client goes away mid-upload', async () => {
    const api = await upstream('command');
    const base = await start(false, { commandApiUrl: api.url, queryApiUrl: query.url });
    const { request, answered } = rawRequest(base, 'PATCH', '/v1/uploads/abc', { 'content-type': 'application/offset+octet-stream', 'content-length': 8 * 1024 * 1024 });
    answered.catch(() => undefined);
    request.write(Buffer.alloc(1024 * 1024, 3));
    await eventually(() => expect(api.seen[0]?.bytes ?? 0).toBeGreaterThanOrEqual(1024 * 1024));
    request.destroy();
    await eventually(() => expect(api.seen[0]?.outcome).toBe('aborted'));
    expect(api.seen[0]?.bytes).toBeLessThan(8 * 1024 * 1024);
  });

  it('loads neither undici, ws nor @fastify/reply-from, even once it has proxied a request', async () => {
    // The compiled demo (tsc --build runs before the tests) builds its app, proxies one request
    // to an API that is not there, and lists what it has loaded.
    const script = `
      const { request } = require('node:http');
      const { buildDemoApp } = require(${JSON.stringify(path.join(PROJECT_ROOT, 'demo/dist/app.js'))});
      const { createLogger, createMetricsRegistry } = require('@reelay/platform');
      (async () => {
        const nowhere = 'http://127.0.0.1:${await freePort()}';
        const app = buildDemoApp({
          logger: createLogger('demo-modules', 'silent'), metrics: createMetricsRegistry('demo-modules'),
          upstreams: { commandApiUrl: nowhere, queryApiUrl: nowhere },
          page: { html: '', script: '', uppy: { html: '', script: '' } }, pushes: {}, verifier: {},
        });
        const base = new URL(await app.listen({ host: '127.0.0.1', port: 0 }));
        const status = await new Promise((resolve) => request({ host: base.hostname, port: base.port, path: '/v1/videos/abc' }, (answer) => { answer.resume(); resolve(answer.statusCode); }).end());
        await app.close();
        process.stdout.write(JSON.stringify({ status, loaded: Object.keys(require.cache) }));
      })();`;
    const child = spawn(process.execPath, ['--conditions=reelay-dist', '-e', script], { cwd: path.join(PROJECT_ROOT, 'demo'), env: { PATH: process.env.PATH }, stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    await new Promise((resolve) => child.once('close', resolve));
    const { status, loaded } = JSON.parse(stdout) as { status: number; loaded: string[] };
    expect(status).toBe(502);
    expect(loaded.some((file) => file.includes('/node_modules/http-proxy-3/'))).toBe(true);
    expect(['undici', 'ws', '@fastify/reply-from', '@fastify/http-proxy'].filter((pkg) => loaded.some((file) => file.includes(`/node_modules/${pkg}/`)))).toEqual([]);
  }, 30_000);

  it("streams a user's recorded pushes to that user only, and refuses a stream without a valid token", async () => {
    const base = await start(false);
    expect((await fetch(`${base}/demo/pushes`)).status).toBe(400);
    expect((await fetch(`${base}/demo/pushes?access_token=forged`)).status).toBe(401);

    const controller = new AbortController();
    const stream = await fetch(`${base}/demo/pushes?access_token=${await signToken('alice', { secret: SECRET })}`, { signal: controller.signal });
    expect(stream.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = stream.body!.getReader();
    let text = '';
    const readUntil = async (needle: string) => {
      while (!text.includes(needle)) text += new TextDecoder().decode((await reader.read()).value);
    };
    await readUntil(': connected');

    const record = async (userId: string, videoId: string) =>
      events.store.appendToStream(
        videoStreamName(videoId),
        [newEvent({ type: 'NotificationSent', data: { provider: 'log', kind: 'UPLOAD_COMPLETED', forEventId: randomUUID(), providerId: null } }, { correlationId: randomUUID(), causationId: randomUUID(), userId })],
        { expectedRevision: 'any' },
      );
    const others = randomUUID();
    const mine = randomUUID();
    await record('bob', others);
    await record('alice', mine);
    await readUntil(mine);
    controller.abort();
    const pushed = text.split('\n').filter((line) => line.startsWith('data: ')).map((line) => JSON.parse(line.slice(6)) as { videoId: string });
    expect(pushed).toEqual([expect.objectContaining({ videoId: mine, status: 'UPLOADED', outcome: 'sent', provider: 'log' })]);
  });
});
