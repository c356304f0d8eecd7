import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance, FastifySchema, RouteOptions } from 'fastify';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';
import { Problem } from '@reelay/contracts';
import { DOCS_PREFIX, type OpenApiInfo, type OpenApiRouteConfig } from './openApiInfo';

const BEARER_SCHEME = 'bearerAuth';

type TransformInput = Parameters<typeof jsonSchemaTransform>[0];

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
