// `@reelay/platform/postgres`: the databases, for a process that prepares them without serving
// (the development launcher, a read model's migration) and for the event store's Postgres adapter.
export * from './postgres/database';
export * from './postgres/connectionErrors';
export * from './postgres/migrateTakingTurns';
