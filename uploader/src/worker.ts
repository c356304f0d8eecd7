import { Counter, type Registry } from 'prom-client';
import type { Job } from '@reelay/contracts';
import type { JobDelivery, JobQueue, Logger, ObjectStorage, StagingStore, VideoRepository } from '@reelay/platform';
import { uploadVideo } from './uploadVideo/uploadVideo';
import { deleteVideoObject } from './deleteVideoObject/deleteVideoObject';

export interface UploaderDeps {
  readonly queue: JobQueue;
  readonly repository: VideoRepository;
  readonly staging: StagingStore;
  readonly storage: ObjectStorage;
  readonly logger: Logger;
  readonly metrics: Registry;
  readonly concurrency: number;
  readonly maxAttempts: number;
  readonly progressIntervalMs: number;
  /** Rejects while the event store is down: no job is taken meanwhile (see ConsumeOptions.ready). */
  readonly ready?: () => Promise<unknown>;
}

/** Takes jobs from the queue, a bounded number at a time, and sends each to its handler. */
export function startUploaderWorker(deps: UploaderDeps): Promise<{ stop(): Promise<void> }> {
  const bytes = new Counter({ name: 'reelay_uploaded_bytes_total', help: 'Bytes sent to object storage', registers: [deps.metrics] });
  const jobs = new Counter({ name: 'reelay_jobs_total', help: 'Jobs handled by kind', labelNames: ['kind'], registers: [deps.metrics] });
  const poison = new Counter({ name: 'reelay_poison_jobs_total', help: 'Messages terminated as unparseable', registers: [deps.metrics] });

  const handle = async (delivery: JobDelivery) => {
    const job: Job = delivery.job;
    jobs.inc({ kind: job.kind });
    switch (job.kind) {
      case 'upload':
        return uploadVideo(job, delivery, { ...deps, onBytes: (n) => bytes.inc(n) });
      case 'delete':
        return deleteVideoObject(job, delivery, deps);
      default: {
        const never: never = job;
        return never;
      }
    }
  };
  return deps.queue.consume({
    durable: 'uploader',
    concurrency: deps.concurrency,
    ready: deps.ready,
    handle,
    onPoison: (message) => {
      poison.inc();
      deps.logger.error({ error: message.error, raw: message.raw.slice(0, 500) }, 'poison message terminated');
    },
  });
}
