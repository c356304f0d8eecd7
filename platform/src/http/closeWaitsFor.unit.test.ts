import { describe, it, expect } from '@jest/globals';
import { closeWaitsFor } from './closeWaitsFor';

/** A stand-in for fastify's hook registry: runs the onClose hook as `close()` would. */
function fakeApp() {
  let onClose: (() => Promise<void>) | undefined;
  const app = { addHook: (_name: string, hook: () => Promise<void>) => (onClose = hook) };
  return { app: app as never, close: () => onClose!() };
}

describe('closeWaitsFor', () => {
  it('lets close resolve at once when nothing is in flight', async () => {
    const { app, close } = fakeApp();
    closeWaitsFor(app);
    await expect(close()).resolves.toBeUndefined();
  });

  it('holds close until every begun work has ended, each end counting once', async () => {
    const { app, close } = fakeApp();
    const inFlight = closeWaitsFor(app);
    const first = inFlight.begin();
    const second = inFlight.begin();
    let closed = false;
    const closing = close().then(() => (closed = true));

    first();
    first(); // a second call must not stand in for the other work
    await new Promise((resolve) => setImmediate(resolve));
    expect(closed).toBe(false);

    second();
    await closing;
    expect(closed).toBe(true);
  });
});
