// `@reelay/event-store-esdb`: the EventStoreDB (KurrentDB) adapter of the event store port.
// `openEventStore` requires it only when `EVENT_STORE_URL` names EventStoreDB.
export * from './openEventStoreDb';
export * from './eventStoreDbEventStore';
export * from './connectionString';
