import type { Knex } from 'knex';
import { VIDEO_EVENT_TYPES, type Position } from '@reelay/contracts';
import { CheckpointMoved, loadCheckpoint, type EventStore, type Logger, type Subscription } from '@reelay/platform';
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
}

/**
 * Keeps `video_info` up to date: follows the global log from the stored checkpoint and projects
 * each batch in one transaction. When another copy moved the checkpoint (CheckpointMoved) or a
 * batch failed, it drops the subscription and resumes from whatever the checkpoint says then —
 * never from its own idea of where it was — so no event is applied twice or skipped.
 */
export class VideoInfoProjection {
  private subscription: Subscription | undefined;
  private running: Promise<void> | undefined;
  private readonly stopping = new AbortController();

  constructor(private readonly options: VideoInfoProjectionOptions) {}

  /** Starts following the log in the background; a second call does nothing. */
  start(): void {
    this.running ??= this.run();
  }

  /** Finishes the batch in flight, if any, and stops. */
  async stop(): Promise<void> {
    this.stopping.abort();
    await this.subscription?.stop();
    await this.running;
  }

  private async run(): Promise<void> {
    const { logger } = this.options;
    while (!this.stopping.signal.aborted) {
      try {
        await this.followFromCheckpoint();
      } catch (error) {
        if (this.stopping.signal.aborted) break;
        if (error instanceof CheckpointMoved) {
          logger.info({ projection: VIDEO_INFO_PROJECTION }, 'another copy moved the checkpoint; resuming from it');
          this.notify('restarted', 'checkpoint-moved');
          continue;
        }
        logger.error({ err: error, projection: VIDEO_INFO_PROJECTION }, 'projection failed; resuming from the checkpoint');
        this.notify('restarted', 'error');
        await sleep(this.options.retryDelayMs ?? 1000, this.stopping.signal);
      }
    }
  }

  /** One subscription's life: from the stored checkpoint until it stops or a batch throws. */
  private async followFromCheckpoint(): Promise<void> {
    const { knex, store, batchSize } = this.options;
    let from = await loadCheckpoint(knex, VIDEO_INFO_PROJECTION);
    if (this.stopping.signal.aborted) return;
    this.subscription = store.subscribeToAll({
      from,
      eventTypes: VIDEO_EVENT_TYPES,
      batchSize: batchSize ?? 500,
      handle: async (events, to) => {
        const outcome = await projectBatch({ knex, store }, events, from, to);
        from = to;
        this.notify('batchCommitted', outcome, to);
      },
    });
    // A stop() that raced with the subscription's creation must still end it.
    if (this.stopping.signal.aborted) await this.subscription.stop();
    await this.subscription.done;
  }

  private notify<K extends keyof ProjectionObserver>(hook: K, ...args: Parameters<NonNullable<ProjectionObserver[K]>>): void {
    try {
      (this.options.observer?.[hook] as ((...a: typeof args) => void) | undefined)?.(...args);
    } catch (error) {
      this.options.logger.warn({ err: error }, `projection observer ${hook} failed`);
    }
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
