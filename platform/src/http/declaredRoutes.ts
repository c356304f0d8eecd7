import type { FastifyInstance, RouteOptions } from 'fastify';

const routesByApp = new WeakMap<object, RouteOptions[]>();

/**
 * Records every route of `app` as it is declared, through an `onRoute` hook added before any
 * route exists (so routes declared at the root are seen too, not only those in plugins).
 */
export function recordDeclaredRoutes(app: FastifyInstance): void {
  const routes: RouteOptions[] = [];
  routesByApp.set(app, routes);
  app.addHook('onRoute', (route) => {
    routes.push(route);
  });
}

/** Every route declared on an app made by createHttpApp (complete once the app is ready). */
export function declaredRoutes(app: FastifyInstance): readonly RouteOptions[] {
  return routesByApp.get(app) ?? [];
}
