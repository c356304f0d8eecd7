import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import type { FastifyInstance } from 'fastify';
import { declaredRoutes } from '@reelay/platform';
import { documentedOperations, undocumentedRoutes, type OpenApiDocument } from '@reelay/testing';

interface OpenApiOperation {
  description?: string;
  security?: unknown;
  responses?: Record<string, { headers?: Record<string, unknown>; content?: unknown }>;
}
import { startTestCommandApi } from './testing';

describe('the command API OpenAPI document', () => {
  let api: Awaited<ReturnType<typeof startTestCommandApi>>;
  let document: OpenApiDocument;

  beforeAll(async () => {
    api = await startTestCommandApi();
    const response = await fetch(`${api.url}/docs/openapi.json`);
    expect(response.status).toBe(200);
    document = (await response.json()) as OpenApiDocument;
  });

  afterAll(() => api.dispose());

  it('lists every route of the app, with the responses each declares', () => {
    const app = api.app as unknown as FastifyInstance;
    expect(declaredRoutes(app).length).toBeGreaterThan(5);
    expect(undocumentedRoutes(app, document)).toEqual([]);
    expect(documentedOperations(document)).toEqual(
      expect.arrayContaining(['POST /v1/videos', 'DELETE /v1/videos/{videoId}', 'POST /v1/videos/{videoId}/retry', 'GET /healthz']),
    );
  });

  it('describes the upload query with the rules of its zod schema, and its 202 body', () => {
    const upload = document.paths['/v1/videos']?.post;
    const title = upload?.parameters?.find((p) => p.name === 'title');
    expect(title).toMatchObject({ in: 'query', required: true, schema: { type: 'string', minLength: 1, maxLength: 200 } });
    expect(JSON.stringify(upload?.responses?.['202'])).toContain('PENDING');
    expect(upload?.security).toEqual([{ bearerAuth: [] }]);
  });

  it('describes the tus routes’ answers, which @tus/server writes itself, with their headers', () => {
    const uploads = document.paths['/v1/uploads'] as Record<string, OpenApiOperation> | undefined;
    const upload = document.paths['/v1/uploads/{uploadId}'] as Record<string, OpenApiOperation> | undefined;
    expect(Object.keys(uploads?.post?.responses?.['201']?.headers ?? {})).toEqual(expect.arrayContaining(['Location', 'Reelay-Video-Id', 'Upload-Offset', 'Tus-Resumable']));
    expect(uploads?.post?.responses?.['201']?.content).toBeUndefined();
    expect(uploads?.post?.security).toEqual([{ bearerAuth: [] }]);
    expect(uploads?.options?.security).toBeUndefined();
    expect(Object.keys(uploads?.options?.responses?.['204']?.headers ?? {})).toEqual(expect.arrayContaining(['Tus-Version', 'Tus-Extension', 'Tus-Max-Size']));
    for (const method of ['head', 'patch', 'delete']) {
      expect(upload?.[method]?.description).toMatch(/tus 1\.0/);
      expect(Object.keys(upload?.[method]?.responses ?? {})).toEqual(expect.arrayContaining(['200', '204', 'default']));
    }
    expect(Object.keys(upload?.patch?.responses?.['204']?.headers ?? {})).toEqual(expect.arrayContaining(['Upload-Offset', 'Reelay-Video-Id']));
    expect(Object.keys(upload?.head?.responses?.['200']?.headers ?? {})).toEqual(expect.arrayContaining(['Upload-Offset', 'Upload-Length']));
  });

  it('serves a browsable page at /docs without a token', async () => {
    const page = await fetch(`${api.url}/docs`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await page.text()).toContain('swagger-ui');
  });

  it('documents the content hash: its header, the 200 answer of a duplicate, and the tus creation that may give one', () => {
    const paths = document.paths as Record<string, Record<string, OpenApiOperation & { parameters?: Array<{ name: string; in: string }> }>>;
    const upload = paths['/v1/videos']?.post;
    expect(upload?.parameters?.find((p) => p.name === 'reelay-content-sha256')).toMatchObject({ in: 'header' });
    expect(JSON.stringify(upload?.responses?.['200'])).toContain('duplicate');
    const create = paths['/v1/uploads']?.post;
    expect(Object.keys(create?.responses?.['200']?.headers ?? {})).toEqual(expect.arrayContaining(['Reelay-Duplicate', 'Upload-Offset']));
  });
});
