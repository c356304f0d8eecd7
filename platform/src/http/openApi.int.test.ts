import { spawn } from 'node:child_process';
import net, { type AddressInfo } from 'node:net';
import path from 'node:path';
import { describe, it, expect } from '@jest/globals';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { createLogger } from '../logging/logger';
import { createMetricsRegistry } from '../metrics/registry';
import { undocumentedRoutes, type OpenApiDocument } from '@reelay/testing';
import { PROJECT_ROOT } from '../config/config';
import { createHttpApp } from './createHttpApp';

const SWAGGER = ['@fastify/swagger', '@fastify/swagger-ui'];

/**
 * The packages under `node_modules` that a compiled app (`platform/dist`, which `tsc --build`
 * makes before the tests) has loaded once ready, in a process of its own.
 */
function packagesLoadedByAnApp(withDocs: boolean, docsAskedFor = false, packages = SWAGGER): Promise<string[]> {
  const createHttpAppFile = path.join(PROJECT_ROOT, 'platform/dist/http/createHttpApp.js');
  // A route with a zod body and response, asked once with a body it accepts and once with one it
  // refuses, so that validation and serialisation have both been compiled and run.
  const script = `
    const { createHttpApp } = require(${JSON.stringify(createHttpAppFile)});
    const { Registry } = require('prom-client');
    const { z } = require('zod');
    const app = createHttpApp({ service: 't', logger: require('pino')({ level: 'silent' }), metrics: new Registry(), readiness: {}, ${withDocs ? "openApi: { title: 't', description: 't' }" : ''} });
    app.post('/echo', { config: { public: true }, schema: { body: z.object({ n: z.number() }), response: { 200: z.object({ n: z.number() }) } } }, async (request) => ({ n: request.body.n }));
    const expectStatus = (status, options) => app.inject(options).then((answer) => { if (answer.statusCode !== status) throw new Error(answer.statusCode + ' ' + answer.body); });
    app.ready()
      .then(() => expectStatus(200, { method: 'POST', url: '/echo', payload: { n: 1 } }))
      .then(() => expectStatus(400, { method: 'POST', url: '/echo', payload: { n: 'one' } }))
      .then(() => ${docsAskedFor ? "expectStatus(200, { url: '/docs/openapi.json' })" : 'undefined'})
      .then(() => process.stdout.write(JSON.stringify(Object.keys(require.cache))));`;
  const child = spawn(process.execPath, ['--conditions=reelay-dist', '-e', script], { cwd: path.join(PROJECT_ROOT, 'platform'), stdio: ['ignore', 'pipe', 'inherit'] });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  return new Promise((resolve, reject) =>
    child.once('close', (code) => {
      if (code !== 0) return reject(new Error(`the app's process exited with ${code}`));
      const loaded = JSON.parse(stdout) as string[];
      expect(loaded.length).toBeGreaterThan(100);
      resolve(packages.filter((pkg) => loaded.some((file) => file.includes(`/node_modules/${pkg}/`))));
    }),
  );
}

function appWithDocs() {
  return createHttpApp({
    service: 'docs-test',
    logger: createLogger('docs-test', 'silent'),
    metrics: createMetricsRegistry('docs-test'),
    readiness: {},
    openApi: { title: 'test', description: 'test' },
  });
}

async function documentOf(app: ReturnType<typeof appWithDocs>): Promise<OpenApiDocument> {
  const answer = await app.inject('/docs/openapi.json');
  expect(answer.statusCode).toBe(200);
  return answer.json() as OpenApiDocument;
}

describe('the OpenAPI document', () => {
  it('describes every route the app declared, at the root or in plugins, and the coverage check names one a document misses', async () => {
    const app = appWithDocs();
    app.register(async (scope) => {
      scope.get('/v1/in-plugin', { schema: { response: { 200: z.object({ ok: z.boolean() }) } } }, async () => ({ ok: true }));
    });
    app.get('/v1/at-root', { schema: { response: { 200: z.object({ n: z.number() }) } } }, async () => ({ n: 1 }));
    await app.ready();
    const document = await documentOf(app);
    expect(undocumentedRoutes(app as unknown as FastifyInstance, document)).toEqual([]);
    expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(['/v1/in-plugin', '/v1/at-root', '/healthz']));
    // The docs' own routes are not operations of the API.
    expect(Object.keys(document.paths).filter((path) => path.startsWith('/docs'))).toEqual([]);
    const { '/v1/at-root': _missing, ...otherPaths } = document.paths;
    expect(undocumentedRoutes(app as unknown as FastifyInstance, { ...document, paths: otherPaths })).toEqual(['GET /v1/at-root: not in the document']);
    await app.close();
  });

  it('is built once, on the first request for the docs, and serves the page and its assets from the same app', async () => {
    const app = appWithDocs();
    await app.ready();
    const [first, second] = await Promise.all([app.inject('/docs/openapi.json'), app.inject('/docs/openapi.json')]);
    expect([first.statusCode, second.statusCode]).toEqual([200, 200]);
    expect(first.headers['content-type']).toMatch(/^application\/json/);
    expect(second.body).toBe(first.body);
    const page = await app.inject('/docs/');
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    const script = /src="\.\/(static\/[^"]+\.js)"/.exec(page.body)?.[1];
    expect(script).toBeDefined();
    const asset = await app.inject(`/docs/${script}`);
    expect(asset.statusCode).toBe(200);
    expect(Number(asset.headers['content-length'])).toBe(asset.rawPayload.length);
    expect((await app.inject('/docs/no-such-asset')).statusCode).toBe(404);
    await app.close();
  });

  it('answers HEAD for what it serves, and its 404 is the API\'s problem+json', async () => {
    const app = appWithDocs();
    await app.ready();
    const head = await app.inject({ method: 'HEAD', url: '/docs/openapi.json' });
    expect(head.statusCode).toBe(200);
    expect(head.headers['content-type']).toMatch(/^application\/json/);
    expect(head.rawPayload.length).toBe(0);
    const missing = await app.inject('/docs/no-such-asset');
    expect(missing.headers['content-type']).toMatch(/^application\/problem\+json/);
    await app.close();
  });

  /**
   * The router sees `/docs/%2e%2e/v1/private` under /docs, while `inject` (like a URL parser)
   * resolves it to `/v1/private`: every way of writing a dot segment, under every docs prefix,
   * towards every kind of route, sent as raw bytes over a real socket (no client normalises it).
   */
  it('never lets a dot segment carry a request out of /docs, however it is written', async () => {
    const app = appWithDocs();
    app.get('/v1/private', async () => ({ secret: 'not for the docs' }));
    await app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = app.server.address() as AddressInfo;
    const dotSegments = ['..', '%2e%2e', '%2E%2E', '.%2e', '%2e.', '..%2f', '%2e%2e%2f', '..%5c', '%2e%2e\\', '.', '%2e'];
    const prefixes = ['/docs/', '/docs/static/', '/docs/static/a/', '/docs//'];
    const targets = ['v1/private', 'healthz', 'metrics', 'docs/openapi.json'];
    const answers: { path: string; status: number; type: string; body: string }[] = [];
    for (const prefix of prefixes) {
      for (const segment of dotSegments) {
        for (const repeat of [1, 3]) {
          for (const target of targets) {
            const path = `${prefix}${`${segment}/`.repeat(repeat)}${target}`;
            answers.push({ path, ...(await rawGet(port, path)) });
          }
        }
      }
    }
    expect(answers.length).toBe(prefixes.length * dotSegments.length * 2 * targets.length);
    // Nothing outside /docs answered, nothing failed, and every refusal is problem+json.
    expect(answers.filter((answer) => answer.body.includes('not for the docs') || answer.body.includes('"status":"ok"') || answer.body.includes('# HELP'))).toEqual([]);
    expect(answers.filter((answer) => answer.status >= 500)).toEqual([]);
    expect(answers.filter((answer) => answer.status >= 400 && !answer.type.startsWith('application/problem+json'))).toEqual([]);
    // The docs themselves are still reached by a path that stays inside them.
    expect((await rawGet(port, '/docs/static/%2e%2e/openapi.json')).status).toBe(200);
    await app.close();
  });
});

/** A GET written byte for byte on a socket: the path reaches the server exactly as given. */
function rawGet(port: number, path: string): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.end(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`));
    let raw = '';
    socket.on('data', (chunk: Buffer) => (raw += chunk.toString('latin1')));
    socket.on('error', reject);
    socket.on('close', () => {
      const [head = '', body = ''] = raw.split('\r\n\r\n');
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0), type: /^content-type: (.*)$/im.exec(head)?.[1] ?? '', body });
    });
  });
}

describe('the OpenAPI publisher', () => {
  it('is loaded only when an app that publishes a document is asked for it: the workers never load Swagger or its UI', async () => {
    expect(await packagesLoadedByAnApp(false)).toEqual([]);
    expect(await packagesLoadedByAnApp(true)).toEqual([]);
    expect(await packagesLoadedByAnApp(true, true)).toEqual(SWAGGER);
  }, 30_000);
});

describe("fastify's own schema compilers", () => {
  it('are never loaded: zod validates and serialises every route, and ajv would be 1.2 MiB of heap held for nothing', async () => {
    expect(await packagesLoadedByAnApp(false, false, ['ajv', '@fastify/ajv-compiler', '@fastify/fast-json-stringify-compiler'])).toEqual([]);
  }, 30_000);
});
