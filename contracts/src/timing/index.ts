// `@reelay/contracts/timing`: waiting between attempts, with no zod under it, so that the client
// SDK can share it with the services without shipping the contracts' schemas to phones.
export * from './backoff';
export * from './abortableSleep';
