import { describe, it, expect, beforeEach } from '@jest/globals';
import { ChangeWaiter } from './changeWaiter';

describe('ChangeWaiter', () => {
  const never = new AbortController().signal;
  let unregistered: number;
  let waiter: ChangeWaiter;

  beforeEach(() => {
    unregistered = 0;
    waiter = new ChangeWaiter(() => {
      unregistered += 1;
    });
  });

  it('wakes a pending wait on a change', async () => {
    const next = waiter.next(10_000, never);
    waiter.wake('changed');
    await expect(next).resolves.toBe('changed');
  });

  it('keeps a change that arrives between two waits for the next one', async () => {
    waiter.wake('changed');
    await expect(waiter.next(10_000, never)).resolves.toBe('changed');
    await expect(waiter.next(5, never)).resolves.toBe('timeout');
  });

  it('ends with timeout when nothing happens', async () => {
    await expect(waiter.next(5, never)).resolves.toBe('timeout');
  });

  it('ends with aborted when the client leaves, even before waiting', async () => {
    const leaving = new AbortController();
    const next = waiter.next(10_000, leaving.signal);
    leaving.abort();
    await expect(next).resolves.toBe('aborted');
    await expect(waiter.next(10_000, leaving.signal)).resolves.toBe('aborted');
  });

  it('stays closed: every later wait ends at once', async () => {
    waiter.wake('closed');
    waiter.wake('changed');
    await expect(waiter.next(10_000, never)).resolves.toBe('closed');
    await expect(waiter.next(10_000, never)).resolves.toBe('closed');
  });

  it('unregisters on cancel', () => {
    waiter.cancel();
    expect(unregistered).toBe(1);
  });
});
