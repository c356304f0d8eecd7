import { describe, it, expect } from '@jest/globals';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { createLogger } from '../logging/logger';
import { createMetricsRegistry } from '../metrics/registry';
import { undocumentedRoutes, type OpenApiDocument } from '@reelay/testing';
import { createHttpApp } from './createHttpApp';

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
