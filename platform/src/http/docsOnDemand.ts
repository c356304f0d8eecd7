import type { FastifyInstance, FastifyReply, FastifyRequest, FastifySchema } from 'fastify';
import { declaredRoutes } from './declaredRoutes';
import { DOCS_PREFIX, type OpenApiInfo } from './openApiInfo';
import { HttpError, SLUGS } from './problems';

/**
 * Swagger, its UI and their YAML writer and static-file server are some 130 modules and 2.3 MiB
 * of heap: loaded on the first request for the docs, not by every API replica at start.
 */
function openApiPublisher(): typeof import('./openApi') {
  return require('./openApi') as typeof import('./openApi');
}

/** Headers that describe the docs app's own connection and body, not the answer: this app sets its own. */
const NOT_FORWARDED = new Set(['connection', 'content-length', 'date', 'keep-alive', 'transfer-encoding']);

function isDocsPath(url: string): boolean {
  return url === DOCS_PREFIX || url.startsWith(`${DOCS_PREFIX}/`);
}

/**
 * Publishes the app's OpenAPI document and its browsable page under `/docs`, built on the first
 * request for them from every route the app declared (see `buildDocsApp`), then answered from
 * that docs app through `inject`. Both are public and left out of the document.
 */
export function publishDocsOnDemand(app: FastifyInstance, info: OpenApiInfo): void {
  let docsApp: Promise<FastifyInstance> | undefined;
  const docs = (): Promise<FastifyInstance> => {
    docsApp ??= openApiPublisher()
      .buildDocsApp(declaredRoutes(app).filter((route) => !isDocsPath(route.url)), info)
      .catch((error: unknown) => {
        // A failed build is not kept: the next request for the docs tries again.
        docsApp = undefined;
        throw error;
      });
    return docsApp;
  };
  const answerFromDocsApp = async (request: FastifyRequest, reply: FastifyReply) => {
    // `inject` resolves dot segments (`/docs/%2e%2e/v1/videos` is `/v1/videos` to it) where the
    // router did not: the docs app is given the path resolved here, and only one under /docs.
    const { pathname, search } = new URL(request.url, 'http://docs.invalid');
    const notADocsPage = `${pathname} is not a page of the API docs (${DOCS_PREFIX})`;
    if (!isDocsPath(pathname)) throw new HttpError(404, 'not-found', notADocsPage);
    // Always a GET: fastify's own HEAD route for this one drops the body it is given.
    const answer = await (await docs()).inject({ method: 'GET', url: pathname + search, headers: request.headers });
    if (answer.statusCode >= 500) throw new Error(`the docs app answered ${answer.statusCode}: ${answer.body}`);
    // The API's own problem+json, not the docs app's (or its static server's) default error bodies.
    if (answer.statusCode >= 400) {
      throw new HttpError(answer.statusCode, SLUGS[answer.statusCode] ?? 'bad-request', notADocsPage);
    }
    for (const [name, value] of Object.entries(answer.headers)) {
      if (value !== undefined && !NOT_FORWARDED.has(name)) reply.header(name, value);
    }
    return reply.status(answer.statusCode).send(answer.rawPayload);
  };
  const route = { schema: { hide: true } as FastifySchema, config: { public: true } };
  app.get(DOCS_PREFIX, route, answerFromDocsApp);
  app.get(`${DOCS_PREFIX}/*`, route, answerFromDocsApp);
}
