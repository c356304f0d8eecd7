import { describe, it, expect, beforeEach, afterEach } from '@jest/globals';
import net from 'node:net';
import { Writable } from 'node:stream';
import { registerAuthentication } from '../auth/authenticate';
import { createTokenVerifier, signToken } from '../auth/tokens';
import { createLogger } from '../logging/logger';
import { createMetricsRegistry } from '../metrics/registry';
import { createHttpApp, type HttpApp } from './createHttpApp';

const SECRET = 'http-app-test-secret-0123456789abcdef';
const PROBLEM_KEYS = ['detail', 'status', 'title', 'type'];

/** Sends raw bytes and returns everything the server answers before it closes the connection. */
function rawRequest(url: string, bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(new URL(url).port), '127.0.0.1');
    let answer = '';
    socket.on('data', (chunk) => (answer += chunk.toString()));
    socket.on('close', () => resolve(answer));
    socket.on('error', reject);
    socket.write(bytes);
  });
}

describe('the HTTP base every API is built on', () => {
  let app: HttpApp;
  let url: string;
  let logs: string;
  let auth: { authorization: string };
  let release: () => void;
  /** How long a preClose hook holds the close (the query API ends its held long-polls there). */
  let closeDelayMs = 0;

  beforeEach(async () => {
    logs = '';
    const destination = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        logs += chunk.toString();
        callback();
      },
    });
    app = createHttpApp({
      service: 'http-test',
      logger: createLogger('http-test', 'info', { destination, secrets: [] }),
      metrics: createMetricsRegistry('http-test'),
      readiness: {},
    });
    registerAuthentication(app, createTokenVerifier({ AUTH_JWT_SECRET: SECRET }));
    app.get('/v1/boom', async () => {
      throw new Error('relation "secret_table" does not exist; password=hunter2');
    });
    app.get('/v1/me', async (request) => ({ userId: request.userId }));
    const held = new Promise<void>((resolve) => (release = resolve));
    app.get('/v1/held', async () => {
      await held;
      return { done: true };
    });
    closeDelayMs = 0;
    app.addHook('preClose', () => new Promise((resolve) => setTimeout(resolve, closeDelayMs)));
    url = await app.listen({ host: '127.0.0.1', port: 0 });
    auth = { authorization: `Bearer ${await signToken('alice', { secret: SECRET })}` };
  });

  afterEach(async () => {
    release();
    await app.close();
  });

  async function expectProblem(response: Response, status: number): Promise<{ type: string; title: string; status: number; detail: string }> {
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const body = (await response.json()) as { type: string; title: string; status: number; detail: string };
    expect(Object.keys(body).sort()).toEqual(PROBLEM_KEYS);
    expect(body.status).toBe(status);
    expect(body.type).toMatch(/^https:\/\/reelay\.dev\/problems\/[a-z-]+$/);
    expect(JSON.stringify(body)).not.toMatch(/\bat .*\(|node_modules|\.ts:\d+/);
    return body;
  }

  it('answers an unexpected error with 500 and a detail that hides it, and logs it whole', async () => {
    const body = await expectProblem(await fetch(`${url}/v1/boom`, { headers: auth }), 500);
    expect(body.detail).not.toMatch(/secret_table|hunter2/);
    expect(logs).toContain('secret_table');
    expect(logs).toContain('"stack"');
  });

  it('answers unknown routes with 404, and with 401 first under /v1 without a token', async () => {
    await expectProblem(await fetch(`${url}/nope`), 404);
    await expectProblem(await fetch(`${url}/v1/nope`), 401);
    await expectProblem(await fetch(`${url}/v1/nope`, { headers: auth }), 404);
  });

  it('answers a known route with another method with 405 and Allow', async () => {
    const response = await fetch(`${url}/v1/me`, { method: 'DELETE', headers: auth });
    expect(response.headers.get('allow')).toBe('GET, HEAD');
    await expectProblem(response, 405);
  });

  it('asks for a bearer token with 401 and WWW-Authenticate, whatever the case of the scheme', async () => {
    const missing = await fetch(`${url}/v1/me`);
    expect(missing.headers.get('www-authenticate')).toBe('Bearer');
    await expectProblem(missing, 401);
    await expectProblem(await fetch(`${url}/v1/me`, { headers: { authorization: 'Basic YWxpY2U6cHc=' } }), 401);
    const lowercase = await fetch(`${url}/v1/me`, { headers: { authorization: auth.authorization.replace('Bearer', 'bearer') } });
    expect(await lowercase.json()).toEqual({ userId: 'alice' });
  });

  it('serves health, readiness and metrics without a token', async () => {
    for (const path of ['/healthz', '/readyz', '/metrics']) expect((await fetch(`${url}${path}`)).status).toBe(200);
  });

  it('echoes a plain X-Request-Id and replaces one unfit for a log line', async () => {
    expect((await fetch(`${url}/healthz`, { headers: { 'x-request-id': 'lb-1234' } })).headers.get('x-request-id')).toBe('lb-1234');
    const replaced = (await fetch(`${url}/healthz`, { headers: { 'x-request-id': `evil"}\u00e9${'x'.repeat(300)}` } })).headers.get('x-request-id');
    expect(replaced).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers 431 as problem+json when the headers are larger than Node accepts', async () => {
    const answer = await rawRequest(url, `GET /v1/me HTTP/1.1\r\nHost: x\r\nX-Junk: ${'a'.repeat(20_000)}\r\n\r\n`);
    expect(answer).toMatch(/^HTTP\/1\.1 431 /);
    expect(answer).toMatch(/content-type: application\/problem\+json/i);
    expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4))).toMatchObject({ status: 431, title: 'Request Header Fields Too Large' });
  });

  it('answers 400 as problem+json to a request that carries both Content-Length and Transfer-Encoding', async () => {
    const answer = await rawRequest(url, 'POST /v1/me HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n');
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4))).toMatchObject({ status: 400 });
  });

  it('answers requests that arrive while it drains with 503 problem+json', async () => {
    closeDelayMs = 300;
    const closed = app.close();
    await new Promise((resolve) => setTimeout(resolve, 50));

    const refused = await fetch(`${url}/v1/me`, { headers: auth });
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(refused.headers.get('connection')).toBe('close');
    await expectProblem(refused, 503);
    await closed;
  });
});
