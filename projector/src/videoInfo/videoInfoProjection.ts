import type { Knex } from 'knex';
import { VIDEO_EVENT_TYPES, type Position } from '@reelay/contracts';
import type { Logger, PersonalDataVault } from '@reelay/platform';
import { startCheckpointedSubscription, type CheckpointedSubscription, type EventStore } from '@reelay/event-store';
import { projectBatch, type BatchOutcome } from './projectBatch';
import { VIDEO_INFO_PROJECTION } from './videoInfo';

/** Hooks for metrics and tests; called after the fact, never allowed to fail the projection. */
export interface ProjectionObserver {
  /** A batch was committed: its rows and the checkpoint `position` are durable. */
  batchCommitted?(outcome: BatchOutcome, position: Position): void;
  /** The subscription stopped and will resume from the stored checkpoint. */
  restarted?(reason: 'checkpoint-moved' | 'error'): void;
}

export interface VideoInfoProjectionOptions {
  readonly knex: Knex;
  readonly store: EventStore;
  readonly logger: Logger;
  readonly batchSize?: number;
  /** Pause before resuming after an error (a database outage, a malformed event). */
  readonly retryDelayMs?: number;
  readonly observer?: ProjectionObserver;
  /** Checked first in every batch's transaction: the lease that makes this copy the only writer. */
  readonly fence?: (trx: Knex.Transaction) => Promise<void>;
  /** Opens sealed personal fields (title, file name) before they reach the read model. */
  readonly personalData?: PersonalDataVault;
}

/**
 * Keeps `video_info` up to date: follows the global log from the stored checkpoint and projects
 * each batch in the batch's checkpointed transaction, so no event is applied twice or skipped,
 * whatever other copies do.
 */
export class VideoInfoProjection {
  private subscription: CheckpointedSubscription | undefined;

  constructor(private readonly options: VideoInfoProjectionOptions) {}

  /** Starts following the log in the background; a second call does nothing. */
  start(): void {
    const { knex, store, logger } = this.options;
    this.subscription ??= startCheckpointedSubscription({
      name: VIDEO_INFO_PROJECTION,
      store,
      knex,
      logger,
      eventTypes: VIDEO_EVENT_TYPES,
      batchSize: this.options.batchSize ?? 500,
      retryDelayMs: this.options.retryDelayMs,
      handle: async (events, batch) => {
        const outcome = await projectBatch({ knex, store, personalData: this.options.personalData }, events, batch);
        this.notify('batchCommitted', outcome, batch.to);
      },
      onRestart: (reason) => this.notify('restarted', reason),
      fence: this.options.fence,
    });
  }

  /** Finishes the batch in flight, if any, and stops. */
  async stop(): Promise<void> {
    await this.subscription?.stop();
  }

  private notify<K extends keyof ProjectionObserver>(hook: K, ...args: Parameters<NonNullable<ProjectionObserver[K]>>): void {
    try {
      (this.options.observer?.[hook] as ((...a: typeof args) => void) | undefined)?.(...args);
    } catch (error) {
      this.options.logger.warn({ err: error }, `projection observer ${hook} failed`);
    }
  }
}
