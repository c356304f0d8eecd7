import { spawn } from 'node:child_process';
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
function packagesLoadedByAnApp(withDocs: boolean): Promise<string[]> {
  const createHttpAppFile = path.join(PROJECT_ROOT, 'platform/dist/http/createHttpApp.js');
  const script = `
    const { createHttpApp } = require(${JSON.stringify(createHttpAppFile)});
    const { Registry } = require('prom-client');
    const app = createHttpApp({ service: 't', logger: require('pino')({ level: 'silent' }), metrics: new Registry(), readiness: {}, ${withDocs ? "openApi: { title: 't', description: 't' }" : ''} });
    app.ready().then(() => process.stdout.write(JSON.stringify(Object.keys(require.cache))));`;
  const child = spawn(process.execPath, ['--conditions=reelay-dist', '-e', script], { cwd: path.join(PROJECT_ROOT, 'platform'), stdio: ['ignore', 'pipe', 'inherit'] });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  return new Promise((resolve) => child.once('close', () => resolve(SWAGGER.filter((pkg) => (JSON.parse(stdout || '[]') as string[]).some((file) => file.includes(`/node_modules/${pkg}/`))))));
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

describe('the OpenAPI coverage check', () => {
  it('passes an app whose routes are all declared in plugins, and names a route the document cannot see', async () => {
    const app = appWithDocs();
    app.register(async (scope) => {
      scope.get('/v1/seen', { schema: { response: { 200: z.object({ ok: z.boolean() }) } } }, async () => ({ ok: true }));
    });
    // Declared at the root before the document's plugin has loaded: the document misses it.
    app.get('/v1/unseen', async () => ({}));
    await app.ready();
    const document = app.swagger() as unknown as OpenApiDocument;
    expect(undocumentedRoutes(app as unknown as FastifyInstance, document)).toEqual(['GET /v1/unseen: not in the document']);
    await app.close();
  });
});

describe('the OpenAPI publisher', () => {
  it('is loaded only by an app that publishes a document: the workers never load Swagger or its UI', async () => {
    expect(await packagesLoadedByAnApp(false)).toEqual([]);
    expect(await packagesLoadedByAnApp(true)).toEqual(SWAGGER);
  }, 30_000);
});
