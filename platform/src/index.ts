// What every service loads. What only some use has an entry of its own, so that the others never
// load it (docs/production.md, "Loading only what is used"): `@reelay/platform/s3` (the AWS SDK),
// `@reelay/platform/auth` (token signing and verification: jose), `@reelay/platform/jobs` (the
// job queue: the NATS client). The OpenAPI document and `/docs` page (Swagger) are loaded by
// `createHttpApp` only for an app that publishes them.
export * from './config/config';
export * from './config/runMode';
export * from './config/productionChecks';
export { DEVELOPMENT_SECRET, KNOWN_SECRETS, isKnownSecret } from './config/knownSecrets';
export { NatsUnavailable } from './jobs/natsUnavailable';
export { DOCS_PREFIX, type DocumentedResponse, type OpenApiInfo, type OpenApiRouteConfig } from './http/openApiInfo';
export * from './logging/logger';
export * from './metrics/registry';
export * from './postgres/database';
export * from './eventStore/eventStore';
export * from './eventStore/videoRepository';
export * from './eventStore/postgres/postgresEventStore';
export * from './http/problems';
export * from './http/createHttpApp';
export * from './http/observability';
export * from './objectStorage/objectStorage';
export * from './objectStorage/embeddedS3Credentials';
export * from './staging/stagingStore';
export * from './staging/fileStagingStore';
export * from './staging/createStagingStore';
export * from './lifecycle/runService';
export * from './lifecycle/nodeRuntime';
export * from './checkpoints/checkpoints';
export * from './checkpoints/checkpointedSubscription';
export * from './lifecycle/abortableSleep';
export * from './eventStore/openEventStore';
export * from './logging/scrubSecrets';
export * from './http/problemForError';
export * from './http/rateLimit';
export * from './http/allowedMethods';
export * from './eventStore/eventFilter';
export * from './eventStore/recordedEvent';
export * from './eventStore/logDiagnostics';
export * from './eventStore/postgres/postgresLogDiagnostics';
export type { AppendTransactionHooks } from './eventStore/postgres/appendTransaction';
export * from './eventStore/eventStoreDb/connectionString';
export * from './lease/leaseTable';
export * from './lease/runWhileLeaseHeld';
export { EVENT_COLUMNS, rowToRecordedEvent, type EventRow } from './eventStore/postgres/rows';
export * from './personalData';
export * from './caching/expiringLru';
export * from './objectStorage/multipartJournal';
export * from './objectStorage/multipartPlan';
export * from './http/declaredRoutes';
export * from './http/closeWaitsFor';
export * from './staging/intakeProgress';
export { HEAD_BYTES, BodyMeter } from './staging/bodyMeter';
export * from './eventStore/postgres/eventHash';
export { sealEventLog, lastSeal, type LogSeal } from './eventStore/postgres/logSealer';
export { verifyEventLog, type LogProblem, type LogVerification, type VerifyLogOptions } from './eventStore/postgres/logVerifier';
export * from './metrics/rateMeter';
