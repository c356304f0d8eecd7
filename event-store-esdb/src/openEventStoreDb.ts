import { EventStoreDBClient } from '@eventstore/db-client';
import { NOTHING_HELD_BACK, lagThroughReads, type OpenedEventStore } from '@reelay/event-store';
import { toEsdbConnectionString } from './connectionString';
import { EventStoreDbEventStore } from './eventStoreDbEventStore';

/**
 * The EventStoreDB adapter opened from an `esdb://` URL. `openEventStore` (in `@reelay/event-store`)
 * requires this package on first use only, so its client (gRPC, protobuf: some 15 MiB of memory)
 * is loaded only by a service that uses it.
 * The client connects lazily: a server that is down shows in `ready()`, not as a failed start.
 */
export function openEventStoreDb(url: string): OpenedEventStore {
  const client = EventStoreDBClient.connectionString(toEsdbConnectionString(url));
  const store = new EventStoreDbEventStore(client);
  return {
    store,
    adapter: 'eventstoredb',
    diagnostics: { lag: (checkpoint) => lagThroughReads(store, checkpoint), holdback: async () => NOTHING_HELD_BACK },
    ready: () => store.headPosition(),
    close: () => store.close(),
  };
}
