import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import type { FastifyInstance } from 'fastify';
import { declaredRoutes } from '@reelay/platform';
import { documentedOperations, undocumentedRoutes, type OpenApiDocument } from '@reelay/testing';
import { createQueryApiTestContext, type QueryApiTestContext } from './testing/queryApiTestContext';

describe('the query API OpenAPI document', () => {
  let context: QueryApiTestContext;
  let document: OpenApiDocument;
  let app: FastifyInstance;
  let baseUrl: string;

  beforeAll(async () => {
    context = await createQueryApiTestContext();
    ({ app, baseUrl } = (await context.startApp()) as unknown as { app: FastifyInstance; baseUrl: string });
    const response = await fetch(`${baseUrl}/docs/openapi.json`);
    expect(response.status).toBe(200);
    document = (await response.json()) as OpenApiDocument;
  });

  afterAll(() => context.dispose());

  it('lists every route of the app, with the responses each declares', () => {
    expect(declaredRoutes(app).length).toBeGreaterThan(5);
    expect(undocumentedRoutes(app, document)).toEqual([]);
    expect(document.openapi).toMatch(/^3\./);
    expect(documentedOperations(document)).toEqual(
      expect.arrayContaining(['GET /v1/videos/{videoId}', 'GET /v1/users/{userId}/videos', 'GET /healthz', 'GET /readyz', 'GET /metrics']),
    );
  });

  it('describes the query parameters with the bounds of the zod schemas the routes validate with', () => {
    const getVideo = document.paths['/v1/videos/{videoId}']?.get;
    const waitSeconds = getVideo?.parameters?.find((p) => p.name === 'waitSeconds');
    expect(waitSeconds).toMatchObject({ in: 'query', schema: { type: 'integer', minimum: 0, maximum: 30 } });
    expect(Object.keys(getVideo?.responses ?? {})).toEqual(expect.arrayContaining(['200', '304', 'default']));
    const limit = document.paths['/v1/users/{userId}/videos']?.get?.parameters?.find((p) => p.name === 'limit');
    expect(limit?.schema).toMatchObject({ minimum: 1, maximum: 100 });
  });

  it('asks for a bearer token on the API routes and not on health, readiness and metrics', () => {
    expect(document.paths['/v1/videos/{videoId}']?.get?.security).toEqual([{ bearerAuth: [] }]);
    expect(document.paths['/healthz']?.get?.security).toBeUndefined();
  });

  it('serves a browsable page at /docs without a token, with its assets from the server itself', async () => {
    const page = await fetch(`${baseUrl}/docs`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await page.text();
    expect(html).toContain('swagger-ui');
    expect(html).not.toMatch(/https?:\/\/(?!127\.0\.0\.1)[a-z0-9.-]+\/[^"']*\.(js|css)/i);
    const script = /src="([^"]*swagger-ui-bundle\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    const asset = await fetch(new URL(script as string, `${baseUrl}/docs/`));
    expect(asset.status).toBe(200);
    // Read it whole: an unread response would keep the server's close waiting on its connection.
    expect((await asset.arrayBuffer()).byteLength).toBeGreaterThan(100_000);
  });

  it('describes the media facts a video gets once its container was read', () => {
    const text = JSON.stringify((document.paths as Record<string, unknown>)['/v1/videos/{videoId}']);
    for (const field of ['media', 'mediaProbe', 'durationMs', 'rotation', 'videoCodec', 'audioCodec', 'frameRate', 'container']) expect(text).toContain(`"${field}"`);
  });
});
