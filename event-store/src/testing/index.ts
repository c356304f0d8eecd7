// `@reelay/event-store/testing`: a migrated Postgres event store of a test's own, and a reader
// that waits for the log to hold what a test appended. Test machinery only.
export * from './testEventStore';
