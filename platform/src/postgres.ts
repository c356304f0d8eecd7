// `@reelay/platform/postgres`: the databases and their migrations, for a process that prepares
// them without serving (the development launcher, a read model's migration).
export * from './postgres/database';
export * from './eventStore/openEventStore';
export * from './checkpoints/checkpoints';
