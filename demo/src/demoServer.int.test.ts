import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { newEvent, videoStreamName } from '@reelay/contracts';
import { createLogger, createMetricsRegistry, type HttpApp } from '@reelay/platform';
import { createTokenVerifier, signToken } from '@reelay/platform/auth';
import { createTestEventStore } from '@reelay/testing';
import { buildDemoApp } from './app';
import { PushFeed } from './pushFeed';

interface Seen {
  readonly method: string;
  readonly url: string;
  readonly bytes: number;
}

/** An upstream API on loopback that records what reaches it and answers who it is. */
async function recordingUpstream(name: string): Promise<{ url: string; seen: Seen[]; close(): Promise<void> }> {
  const seen: Seen[] = [];
  const server: Server = createServer((request: IncomingMessage, response) => {
    let bytes = 0;
    request.on('data', (chunk: Buffer) => (bytes += chunk.length));
    request.on('end', () => {
      seen.push({ method: request.method ?? '', url: request.url ?? '', bytes });
      response.writeHead(200, { 'content-type': 'application/json', location: '/v1/uploads/abc' }).end(JSON.stringify({ upstream: name }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe('the demo server', () => {
  const SECRET = 'demo-int-secret-long-enough-for-hs256-0123456789';
  const verifier = createTokenVerifier({ AUTH_JWT_SECRET: SECRET });
  let events: Awaited<ReturnType<typeof createTestEventStore>>;
  let pushes: PushFeed;
  let command: Awaited<ReturnType<typeof recordingUpstream>>;
  let query: Awaited<ReturnType<typeof recordingUpstream>>;
  const apps: HttpApp[] = [];

  beforeAll(async () => {
    events = await createTestEventStore();
    pushes = new PushFeed(events.store, createLogger('demo-test', 'silent'));
    await pushes.start();
    command = await recordingUpstream('command');
    query = await recordingUpstream('query');
  });

  afterAll(async () => {
    await Promise.all(apps.map((app) => app.close()));
    await pushes.stop();
    await events.dispose();
    await command.close();
    await query.close();
  });

  async function start(developmentSignIn: boolean): Promise<string> {
    const app = buildDemoApp({
      logger: createLogger('demo-test', 'silent'),
      metrics: createMetricsRegistry('demo-test'),
      upstreams: { commandApiUrl: command.url, queryApiUrl: query.url },
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
    const read = await fetch(`${base}/v1/videos/abc?waitSeconds=1`, { headers: { 'if-none-match': '"x"' } });
    expect(await read.json()).toEqual({ upstream: 'query' });
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
  });

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
