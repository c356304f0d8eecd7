// `@reelay/platform/core`: what every process needs before it does anything (configuration, run
// mode, logging, the services' Node flags) without the HTTP, NATS, auth, metrics or S3 stacks;
// the development launcher loads only this, `@reelay/platform/postgres` and `@reelay/event-store`
// (docs/production.md, "Loading only what is used").
export * from './config/config';
export * from './config/runMode';
export * from './config/productionChecks';
export * from './logging/logger';
export * from './lifecycle/nodeRuntime';
export * from './lifecycle/dependencyUnavailable';
export * from './objectStorage/embeddedS3Credentials';
