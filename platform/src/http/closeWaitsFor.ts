import type { HttpApp } from './createHttpApp';

/**
 * Returns `track(work)`, which hands `work` back unchanged and makes closing `app` wait until it
 * has settled. For handlers that clean up after a failure: when a client goes away mid-body,
 * fastify lets its connection go at once, so `close()` would resolve (and the caller close the
 * pools) while the handler is still removing the staged file or the progress row; that cleanup
 * would then fail, or wait a minute for a connection from a closed pool.
 */
export function closeWaitsFor(app: Pick<HttpApp, 'addHook'>): <T>(work: Promise<T>) => Promise<T> {
  const running = new Set<Promise<unknown>>();
  app.addHook('onClose', async () => {
    await Promise.allSettled([...running]);
  });
  return (work) => {
    running.add(work);
    const forget = () => running.delete(work);
    work.then(forget, forget);
    return work;
  };
}
