// What every service loads. What only some use has an entry of its own, so that the others never
// load it (docs/production.md, "Loading only what is used"): `@reelay/platform/s3` (the AWS SDK),
// `@reelay/platform/auth` (token signing and verification: jose), `@reelay/platform/jobs` (the
// job queue: the NATS client). The OpenAPI document and `/docs` page (Swagger) are loaded by
// `createHttpApp` only for an app that publishes them.
export * from './config/config';
export * from './config/runMode';
export * from './config/productionChecks';
export { DEVELOPMENT_SECRET, KNOWN_SECRETS, isKnownSecret } from './config/knownSecrets';
export { DOCS_PREFIX, type DocumentedResponse, type OpenApiInfo, type OpenApiRouteConfig } from './http/openApiInfo';
export * from './logging/logger';
export * from './metrics/registry';
export * from './postgres/database';
export * from './postgres/migrateTakingTurns';
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
export * from './lifecycle/dependencyUnavailable';
export * from './lifecycle/runPeriodically';
export * from './logging/scrubSecrets';
export * from './http/problemForError';
export * from './http/rateLimit';
export * from './http/allowedMethods';
export * from './lease/leaseTable';
export * from './lease/runWhileLeaseHeld';
export * from './personalData';
export * from './caching/expiringLru';
export * from './objectStorage/multipartJournal';
export * from './objectStorage/multipartPlan';
export * from './http/declaredRoutes';
export * from './http/closeWaitsFor';
export * from './staging/intakeProgress';
export { HEAD_BYTES, BodyMeter } from './staging/bodyMeter';
export * from './metrics/rateMeter';
