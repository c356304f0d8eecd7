import type { OpenedEventStore } from './openEventStore';

/** `EVENT_STORE_URL` values that name EventStoreDB (or KurrentDB, its new name). */
export const EVENTSTOREDB_URL = /^(esdb|kurrentdb)(\+discover)?:\/\//;

/** What `@reelay/event-store-esdb` offers this package: its adapter, opened from a URL. */
interface EventStoreDbAdapterPackage {
  openEventStoreDb(url: string): OpenedEventStore;
}

/** The package that holds the EventStoreDB adapter and, under it, its client. */
const ADAPTER_PACKAGE = '@reelay/event-store-esdb';

/**
 * Opens the EventStoreDB adapter, required on first use only: its client (gRPC, protobuf: some
 * 15 MiB of memory) is loaded by a service whose `EVENT_STORE_URL` names EventStoreDB and by no
 * other. The package depends on this one, so it is named here by string, not imported.
 */
export function openEventStoreDb(url: string): OpenedEventStore {
  let adapter: EventStoreDbAdapterPackage;
  try {
    adapter = require(ADAPTER_PACKAGE) as EventStoreDbAdapterPackage;
  } catch (error) {
    const { message } = error as { message?: unknown };
    if (typeof message !== 'string' || !message.startsWith(`Cannot find module '${ADAPTER_PACKAGE}'`)) throw error;
    throw new Error(`EVENT_STORE_URL names EventStoreDB, but ${ADAPTER_PACKAGE} is not installed`, { cause: error });
  }
  return adapter.openEventStoreDb(url);
}
