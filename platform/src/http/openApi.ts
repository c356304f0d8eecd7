import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance, type FastifySchema, type HTTPMethods, type RouteOptions } from 'fastify';
import { jsonSchemaTransform, jsonSchemaTransformObject, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
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

/** The copies of the API's routes only describe it: the docs app is reached for `/docs` alone. */
async function describedOnly(): Promise<never> {
  throw new Error('the docs app only describes this route');
}

/**
 * An app of its own that serves the API's OpenAPI 3 document, generated from the routes' zod
 * schemas, as JSON at `/docs/openapi.json` and as a browsable Swagger UI page at `/docs` (its
 * assets are served from the package, no CDN). It is given the API's routes (method, path,
 * schema, config) and describes them; it never listens, and answers through `inject`.
 * Everything it serves is public: the document describes the API, not anyone's data.
 */
export async function buildDocsApp(routes: readonly RouteOptions[], info: OpenApiInfo): Promise<FastifyInstance> {
  const docs = Fastify({ logger: false, exposeHeadRoutes: false });
  docs.setValidatorCompiler(validatorCompiler);
  docs.setSerializerCompiler(serializerCompiler);
  // Registered (awaited) before any route is given, so its onRoute hook sees them all.
  await docs.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: info.title, description: info.description, version: info.version ?? '1.0.0' },
      components: { securitySchemes: { [BEARER_SCHEME]: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
    },
    transform,
    transformObject: jsonSchemaTransformObject,
  });
  await docs.register(async (ui) => {
    await ui.register(swaggerUi, { routePrefix: DOCS_PREFIX, staticCSP: false });
    ui.get(`${DOCS_PREFIX}/openapi.json`, { schema: { hide: true } as FastifySchema }, async () => docs.swagger());
  });
  const methodsOf = (route: RouteOptions): HTTPMethods[] => (Array.isArray(route.method) ? route.method : [route.method]);
  const getPaths = new Set(routes.filter((route) => methodsOf(route).includes('GET')).map((route) => route.url));
  const seen = new Set<string>();
  for (const route of routes) {
    // A HEAD beside a GET is fastify's own copy of it, which the document leaves out; a HEAD of
    // its own (tus) is an operation.
    const methods = methodsOf(route).filter((method) => !(method === 'HEAD' && getPaths.has(route.url)) && !seen.has(`${method} ${route.url}`));
    if (methods.length === 0) continue;
    for (const method of methods) seen.add(`${method} ${route.url}`);
    docs.route({ method: methods, url: route.url, schema: route.schema, config: route.config, handler: describedOnly });
  }
  await docs.ready();
  return docs;
}
