// `@reelay/platform/jobs`: the job queue on NATS JetStream. An entry point of its own so that the
// services that queue and take no jobs (the projector, notifier, query API and demo) never load
// the NATS client (docs/production.md, "Loading only what is used").
export * from './jobs/jobQueue';
export * from './jobs/natsJobQueue';
