import type { HttpApp } from './createHttpApp';

/** Work a handler has begun; `begin()` returns the function that says it has ended (call it once, in a `finally`). */
export interface InFlightWork {
  begin(): () => void;
}

/**
 * Makes closing `app` wait until every work begun through the returned tracker has ended. For
 * handlers that clean up after a failure: when a client goes away mid-body, fastify lets its
 * connection go at once, so `close()` would resolve (and the caller close the pools) while the
 * handler is still removing the staged file or the progress row; that cleanup would then fail,
 * or wait a minute for a connection from a closed pool.
 */
export function closeWaitsFor(app: Pick<HttpApp, 'addHook'>): InFlightWork {
  let running = 0;
  let whenIdle: Array<() => void> = [];
  app.addHook('onClose', async () => {
    if (running > 0) await new Promise<void>((resolve) => whenIdle.push(resolve));
  });
  return {
    begin() {
      running += 1;
      let ended = false;
      return () => {
        if (ended) return;
        ended = true;
        running -= 1;
        if (running > 0) return;
        const waiting = whenIdle;
        whenIdle = [];
        for (const resolve of waiting) resolve();
      };
    },
  };
}
