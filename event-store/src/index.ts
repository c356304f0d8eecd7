// `@reelay/event-store`: the event store port, its Postgres adapter, the checkpointed
// subscription and the command handler. The EventStoreDB adapter is `@reelay/event-store-esdb`,
// required by `openEventStore` only for an `esdb://` URL; the contract suite is
// `@reelay/event-store/contract`.
export * from './eventStore';
export * from './eventFilter';
export * from './followingSubscription';
export * from './recordedEvent';
export * from './logDiagnostics';
export * from './openEventStore';
export { EVENTSTOREDB_URL } from './eventStoreDbLoader';
export * from './commandHandler';
export * from './postgres/postgresEventStore';
export * from './postgres/postgresLogDiagnostics';
export type { AppendTransactionHooks } from './postgres/appendTransaction';
export { EVENT_COLUMNS, rowToRecordedEvent, type EventRow } from './postgres/rows';
export * from './postgres/eventHash';
export { sealEventLog, lastSeal, type LogSeal } from './postgres/logSealer';
export { verifyEventLog, type LogProblem, type LogVerification, type VerifyLogOptions } from './postgres/logVerifier';
export * from './checkpoints/checkpoints';
export * from './checkpoints/checkpointedSubscription';
