import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance, FastifySchema, RouteOptions } from 'fastify';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { Problem } from '@reelay/contracts';

/** What an API says about itself in its OpenAPI document. */
export interface OpenApiInfo {
  readonly title: string;
  readonly description: string;
  readonly version?: string;
}

/** Where the browsable page is; the document itself is at `${DOCS_PREFIX}/openapi.json`. */
export const DOCS_PREFIX = '/docs';

const BEARER_SCHEME = 'bearerAuth';

type TransformInput = Parameters<typeof jsonSchemaTransform>[0];

/**
 * A success response a route sends itself, without a body schema for fastify to serialise (the
 * tus routes, whose answers @tus/server writes): described in the document only.
 */
export interface DocumentedResponse {
  readonly description: string;
  /** Response header name → what it carries. */
  readonly headers?: Readonly<Record<string, string>>;
}

/** Route `config` that the document reads. */
export interface OpenApiRouteConfig {
  /** Reachable without a bearer token. */
  readonly public?: boolean;
  /** Bodiless responses by status code, for the document only. */
  readonly documentedResponses?: Readonly<Record<number, DocumentedResponse>>;
}

/**
 * The zod transform of fastify-type-provider-zod (the same schemas the routes validate with),
 * plus what every route shares: a bearer token unless the route is public, and problem+json
 * for every error status the route does not describe itself.
 */
function transform(input: TransformInput): { schema: FastifySchema; url: string } {
  const route = input.route as RouteOptions & { config?: OpenApiRouteConfig };
  const schema = { ...(input.schema ?? {}) } as FastifySchema & { response?: Record<string, unknown>; security?: unknown };
  schema.response = { ...(schema.response ?? {}), default: Problem.describe('An error, as RFC 9457 problem details (application/problem+json)') };
  if (route.config?.public !== true) schema.security = [{ [BEARER_SCHEME]: [] }];
  const transformed = jsonSchemaTransform({ ...input, schema } as TransformInput) as { schema: FastifySchema & { response?: Record<string, unknown> }; url: string };
  const documented = route.config?.documentedResponses;
  if (documented && transformed.schema.response) {
    for (const [status, response] of Object.entries(documented)) {
      // `type: 'null'` is @fastify/swagger's way of saying "no body"; `headers` become the response's headers.
      const headers = Object.fromEntries(Object.entries(response.headers ?? {}).map(([name, description]) => [name, { type: 'string', description }]));
      transformed.schema.response[status] = { type: 'null', description: response.description, headers };
    }
  }
  return transformed;
}

/**
 * Publishes the app's OpenAPI 3 document, generated from the routes' zod schemas, as JSON at
 * `/docs/openapi.json` and as a browsable Swagger UI page at `/docs` (its assets are served from
 * the package, no CDN). Register it before any route: it learns them through `onRoute`.
 * Both are public: the document describes the API, not anyone's data.
 */
export function registerOpenApi(app: FastifyInstance, info: OpenApiInfo): void {
  app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: info.title, description: info.description, version: info.version ?? '1.0.0' },
      components: { securitySchemes: { [BEARER_SCHEME]: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
    },
    transform,
    transformObject: jsonSchemaTransformObject,
  });
  app.register(async (docs) => {
    // The UI's routes are the plugin's own; mark them public as they are declared.
    docs.addHook('onRoute', (route) => {
      route.config = { ...(route.config as object), public: true };
    });
    await docs.register(swaggerUi, { routePrefix: DOCS_PREFIX, staticCSP: false });
    docs.get(`${DOCS_PREFIX}/openapi.json`, { schema: { hide: true } as FastifySchema }, async () => docs.swagger());
  });
}

/** Response schemas of the routes every service has (`/healthz`, `/readyz`, `/metrics`). */
export const OPS_RESPONSES = {
  healthz: { 200: z.object({ status: z.literal('ok') }).describe('The process is alive') },
  readyz: { 200: z.object({ status: z.literal('ready') }).describe('Every dependency is reachable'), 503: Problem.describe('A dependency is not reachable; the detail names it') },
  metrics: { 200: z.string().describe('Prometheus text exposition format') },
};
