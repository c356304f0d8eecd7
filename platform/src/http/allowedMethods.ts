import type { FastifyInstance } from 'fastify';

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

/**
 * The methods some route answers for this concrete URL: when the URL is known but the method
 * is not, the answer is 405 with `Allow`, not 404.
 */
export function allowedMethods(app: Pick<FastifyInstance, 'findRoute'>, url: string): string[] {
  const path = url.split('?')[0] ?? url;
  return METHODS.filter((method) => app.findRoute({ method, url: path }) !== null);
}
