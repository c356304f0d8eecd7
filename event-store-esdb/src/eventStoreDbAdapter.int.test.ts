import { describe, it, expect } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { EventStoreDBClient } from '@eventstore/db-client';
import { EventStoreUnavailable, openEventStore } from '@reelay/event-store';
import { eventStoreContract, type EventStoreSubjectFactory } from '@reelay/event-store/contract';
import { freePort, startTcpProxy } from '@reelay/testing';
import { toEsdbConnectionString } from './connectionString';
import { EventStoreDbEventStore } from './eventStoreDbEventStore';

/**
 * The EventStoreDB adapter on the server `EVENTSTORE_URL` names (one node, e.g.
 * `esdb://admin:changeit@localhost:2113?tls=false`), reached through a proxy whose connections
 * the test can cut. The server is shared: the contract's tests use streams of their own.
 */
const eventStoreDb =
  (url: string): EventStoreSubjectFactory =>
  async () => {
    const target = new URL(toEsdbConnectionString(url));
    if (target.protocol !== 'esdb:') throw new Error('EVENTSTORE_URL must name a single node (esdb://host:port), not a cluster to discover');
    const proxy = await startTcpProxy(target.hostname, Number(target.port || 2113));
    target.hostname = proxy.host;
    target.port = String(proxy.port);
    const store = new EventStoreDbEventStore(EventStoreDBClient.connectionString(target.toString()));
    return {
      store,
      interruptConnections: async () => proxy.dropConnections(),
      async dispose() {
        await store.close();
        await proxy.close();
      },
    };
  };

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

// Skipped, and reported as skipped, unless a server is given: never a silent pass.
const esdbUrl = process.env.EVENTSTORE_URL;
(esdbUrl ? describe : describe.skip)('the EventStoreDB event store (EVENTSTORE_URL)', () => {
  eventStoreContract(eventStoreDb(esdbUrl ?? 'esdb://unused:2113'));
});
