import type { FastifyInstance } from 'fastify';
import { declaredRoutes } from '@reelay/platform';

interface OpenApiOperation {
  readonly responses?: Record<string, unknown>;
  readonly security?: unknown[];
  readonly parameters?: { name: string; in: string; schema?: Record<string, unknown> }[];
}

export interface OpenApiDocument {
  readonly openapi: string;
  readonly paths: Record<string, Record<string, OpenApiOperation>>;
}

/** `/v1/videos/:videoId` as OpenAPI writes it: `/v1/videos/{videoId}`. */
export function openApiPath(url: string): string {
  return url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

/**
 * What the document leaves out of the app's routes, one line per gap: a route (method and path)
 * that is missing, or a response status the route declares that the document does not list.
 * Routes come from the app's own `onRoute` record, not from a list; hidden routes (the docs
 * page's assets) and the HEAD routes fastify derives from every GET are not API operations.
 */
export function undocumentedRoutes(app: FastifyInstance, document: OpenApiDocument): string[] {
  const gaps: string[] = [];
  for (const route of declaredRoutes(app)) {
    const schema = (route.schema ?? {}) as { hide?: boolean; response?: Record<string, unknown> };
    if (schema.hide) continue;
    const methods = (Array.isArray(route.method) ? route.method : [route.method]).filter((m) => m !== 'HEAD');
    for (const method of methods) {
      const operation = document.paths[openApiPath(route.url)]?.[method.toLowerCase()];
      if (!operation) {
        gaps.push(`${method} ${route.url}: not in the document`);
        continue;
      }
      const documented = Object.keys(operation.responses ?? {});
      for (const status of Object.keys(schema.response ?? {})) {
        if (!documented.includes(status)) gaps.push(`${method} ${route.url}: response ${status} not in the document`);
      }
      if (documented.length === 0) gaps.push(`${method} ${route.url}: no responses in the document`);
    }
  }
  return gaps;
}

/** Method and path of every operation the document lists, e.g. `GET /healthz`. */
export function documentedOperations(document: OpenApiDocument): string[] {
  return Object.entries(document.paths).flatMap(([path, operations]) => Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`));
}
