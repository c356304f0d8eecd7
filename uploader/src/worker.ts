import { Counter, type Registry } from 'prom-client';
import type { Job, VideoState } from '@reelay/contracts';
import type { Logger, ObjectStorage, StagingStore } from '@reelay/platform';
import type { JobDelivery, JobQueue } from '@reelay/platform/jobs';
import type { CommandHandler } from '@reelay/event-store';
import { uploadVideo } from './uploadVideo/uploadVideo';
import { deleteVideoObject } from './deleteVideoObject/deleteVideoObject';
import type { UploadJournals } from './uploadState/uploadJournal';
import { startAbandonedUploadSweeper } from './uploadState/sweepAbandonedUploads';
import { probeMedia, type ProbeDeps } from './probeMedia/probeMedia';
import { MediaProber } from './probeMedia/readMediaFacts';

export interface UploaderDeps {
  readonly queue: JobQueue;
  readonly repository: CommandHandler<VideoState | undefined>;
  readonly staging: StagingStore;
  readonly storage: ObjectStorage;
  readonly journals: UploadJournals;
  readonly logger: Logger;
  readonly metrics: Registry;
  readonly concurrency: number;
  readonly maxAttempts: number;
  readonly progressIntervalMs: number;
  /** The queue's ack_wait: a long upload says `working()` three times within it. */
  readonly ackWaitMs: number;
  /** An attempt that stores no part for this long is aborted and handed back. */
  readonly stallTimeoutMs: number;
  /** A LOADING video nobody touched for this long is failed by the sweep (0 or unset: no sweep). */
  readonly abandonedAfterMs?: number;
  readonly sweepIntervalMs?: number;
  /** On stop, how long in-flight uploads may run on before they are handed back. */
  readonly shutdownGraceMs?: number;
  /** Opens a stored video for ranged reads, for the media probe; without it probe jobs are handed back. */
  readonly openStored?: ProbeDeps['openStored'];
  /** Rejects while the event store is down: no job is taken meanwhile (see ConsumeOptions.ready). */
  readonly ready?: () => Promise<unknown>;
}

export interface UploaderWorker {
  /**
   * Stops taking jobs at once, lets in-flight uploads finish for up to the shutdown grace, then
   * aborts them: each is nak-ed at once, its stored parts journalled for the next uploader.
   */
  stop(): Promise<void>;
}

/** Takes jobs from the queue, a bounded number at a time, and sends each to its handler. */
export async function startUploaderWorker(deps: UploaderDeps): Promise<UploaderWorker> {
  const bytes = new Counter({ name: 'reelay_uploaded_bytes_total', help: 'Bytes sent to object storage', registers: [deps.metrics] });
  const resumed = new Counter({
    name: 'reelay_upload_resumed_bytes_total',
    help: 'Bytes an attempt did not send again because an earlier attempt had stored them',
    registers: [deps.metrics],
  });
  const jobs = new Counter({ name: 'reelay_jobs_total', help: 'Jobs handled by kind', labelNames: ['kind'], registers: [deps.metrics] });
  const poison = new Counter({ name: 'reelay_poison_jobs_total', help: 'Messages terminated as unparseable', registers: [deps.metrics] });
  const shutdown = new AbortController();
  const prober = new MediaProber();

  const handle = async (delivery: JobDelivery) => {
    const job: Job = delivery.job;
    jobs.inc({ kind: job.kind });
    switch (job.kind) {
      case 'upload':
        return uploadVideo(job, delivery, {
          ...deps,
          heartbeatMs: Math.max(100, Math.floor(deps.ackWaitMs / 3)),
          shutdown: shutdown.signal,
          onBytes: (n) => bytes.inc(n),
          onResumed: (n) => resumed.inc(n),
        });
      case 'delete':
        return deleteVideoObject(job, delivery, deps);
      case 'probe':
        if (!deps.openStored) return delivery.nak(deps.ackWaitMs);
        return probeMedia(job, delivery, { ...deps, prober, openStored: deps.openStored });
      default: {
        const never: never = job;
        return never;
      }
    }
  };
  const consumer = await deps.queue.consume({
    durable: 'uploader',
    concurrency: deps.concurrency,
    ready: deps.ready,
    handle,
    onPoison: (message) => {
      poison.inc();
      deps.logger.error({ error: message.error, raw: message.raw.slice(0, 500) }, 'poison message terminated');
    },
  });
  const sweeper =
    deps.abandonedAfterMs && deps.sweepIntervalMs
      ? startAbandonedUploadSweeper({ ...deps, abandonedAfterMs: deps.abandonedAfterMs, intervalMs: deps.sweepIntervalMs })
      : { stop: async () => undefined };

  let stopping: Promise<void> | undefined;
  return {
    stop: () => {
      stopping ??= (async () => {
        const grace = setTimeout(() => shutdown.abort(), deps.shutdownGraceMs ?? 10_000);
        try {
          await Promise.all([consumer.stop(), sweeper.stop()]);
        } finally {
          clearTimeout(grace);
          prober.close();
        }
      })();
      return stopping;
    },
  };
}
