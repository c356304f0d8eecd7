import { describe, it, expect } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { freePort } from '@reelay/testing';
import { EventStoreUnavailable } from '../eventStore';
import { openEventStore } from '../openEventStore';

/**
 * What can be shown of the EventStoreDB adapter without a server (the contract suite runs
 * against one when EVENTSTORE_URL is set): it is chosen by the URL's scheme, and a server that
 * cannot be reached is a typed, prompt failure rather than a hang.
 */
describe('the EventStoreDB adapter without a server', () => {
  it.each(['esdb', 'kurrentdb'])('is chosen for a %s:// URL and reports an unreachable server as EventStoreUnavailable', async (scheme) => {
    const port = await freePort();
    const opened = await openEventStore({ EVENT_STORE_URL: `${scheme}://127.0.0.1:${port}?tls=false` }, { applicationName: 'test' });
    try {
      expect(opened.adapter).toBe('eventstoredb');
      await expect(opened.ready()).rejects.toBeInstanceOf(EventStoreUnavailable);
      const append = opened.store.appendToStream('s', [{ id: randomUUID(), type: 'X', data: {}, metadata: { correlationId: 'c', causationId: 'c', userId: 'u' } }], {
        expectedRevision: 'any',
      });
      await expect(append).rejects.toBeInstanceOf(EventStoreUnavailable);
      expect(await opened.diagnostics.holdback()).toEqual({ heldBackEvents: 0, holder: null });
    } finally {
      await opened.close();
    }
  });
});
