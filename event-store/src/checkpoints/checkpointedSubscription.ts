import type { Knex } from 'knex';
import { START, abortableSleep, type Position, type RecordedEvent } from '@reelay/contracts';
import type { Logger } from '@reelay/platform/core';
import type { EventStore, Subscription } from '../eventStore';
import { CheckpointMoved, advanceCheckpoint, loadCheckpoint } from './checkpoints';

/** One batch as a subscriber sees it: where it starts and ends, and how to commit with it. */
export interface CheckpointedBatch {
  readonly from: Position;
  readonly to: Position;
  /** Aborts when the subscriber is stopping: long effects (retries, backoff) should give up. */
  readonly signal: AbortSignal;
  /**
   * Runs `work` in a transaction that first moves the checkpoint from `from` to `to`, so the
   * work's rows commit together with the checkpoint (a projection). A subscriber whose effects
   * are elsewhere (a queue, an HTTP call) does not call it: the checkpoint then moves after the
   * batch is handled.
   */
  transaction<T>(work: (trx: Knex.Transaction) => Promise<T>): Promise<T>;
}

export interface CheckpointedSubscriptionOptions {
  /** The checkpoint's name: one per subscriber, shared by all its copies. */
  readonly name: string;
  readonly store: EventStore;
  /** The database that holds the checkpoint (and the subscriber's own tables). */
  readonly knex: Knex;
  readonly logger: Logger;
  readonly eventTypes?: readonly string[];
  readonly batchSize?: number;
  /** How long to wait before following the log again after a failed batch. */
  readonly retryDelayMs?: number;
  /** A batch's effects. A rejection leaves the checkpoint where it was: the batch comes again. */
  readonly handle: (events: readonly RecordedEvent[], batch: CheckpointedBatch) => Promise<void>;
  /** Told each time it starts over from the stored checkpoint, for metrics. */
  readonly onRestart?: (reason: 'checkpoint-moved' | 'error') => void;
  /**
   * Runs first in every transaction that moves the checkpoint, and throws to refuse it: a lease's
   * fence (see `runWhileLeaseHeld`), so a copy that lost its lease cannot commit a batch.
   */
  readonly fence?: (trx: Knex.Transaction) => Promise<void>;
}

export interface CheckpointedSubscription {
  /** Lets the batch in flight finish or give up (its signal aborts), then stops following. */
  stop(): Promise<void>;
  /** The position after the last batch this copy checkpointed (or loaded). */
  position(): Position;
}

/**
 * Follows the global log from a stored checkpoint and moves the checkpoint with each batch, only
 * from the position the batch was read from. When another copy moved it first (CheckpointMoved),
 * or a batch failed, it starts again from whatever the stored checkpoint says then, never from its
 * own idea of where it was: no batch is lost, and none is committed twice.
 */
export function startCheckpointedSubscription(options: CheckpointedSubscriptionOptions): CheckpointedSubscription {
  const { name, store, knex, logger } = options;
  const stopping = new AbortController();
  let current: Subscription | undefined;
  let position: Position = START;

  const handleBatch = async (events: readonly RecordedEvent[], from: Position, to: Position) => {
    let committed = false;
    const batch: CheckpointedBatch = {
      from,
      to,
      signal: stopping.signal,
      transaction: async (work) => {
        const result = await inCheckpointedTransaction(knex, name, from, to, work, options.fence);
        committed = true;
        return result;
      },
    };
    await options.handle(events, batch);
    if (!committed) await inCheckpointedTransaction(knex, name, from, to, async () => undefined, options.fence);
  };

  const followOnce = async (): Promise<void> => {
    position = await loadCheckpoint(knex, name);
    if (stopping.signal.aborted) return;
    current = store.subscribeToAll({
      from: position,
      eventTypes: options.eventTypes,
      batchSize: options.batchSize,
      handle: async (events, to) => {
        await handleBatch(events, position, to);
        position = to;
      },
    });
    // stop() may have come while the subscription was being created.
    if (stopping.signal.aborted) await current.stop();
    await current.done;
  };

  const run = async (): Promise<void> => {
    while (!stopping.signal.aborted) {
      try {
        await followOnce();
      } catch (error) {
        if (stopping.signal.aborted) break;
        if (error instanceof CheckpointMoved) {
          logger.info({ subscription: name }, 'another copy moved the checkpoint; following from there');
          options.onRestart?.('checkpoint-moved');
          continue;
        }
        logger.error({ err: error, subscription: name }, 'a batch failed; following again from the checkpoint after a pause');
        options.onRestart?.('error');
        await abortableSleep(options.retryDelayMs ?? 1000, stopping.signal);
      }
    }
  };
  const running = run();

  return {
    position: () => position,
    async stop() {
      stopping.abort();
      await current?.stop();
      await running;
    },
  };
}

/**
 * Runs `work` in a transaction that first checks `fence`, if any, then moves checkpoint `name`
 * from `from` to `to`. Moving it first makes a second copy on the same batch fail at once with
 * CheckpointMoved (or wait for the first to commit, then fail) instead of doing the work for
 * nothing.
 */
export function inCheckpointedTransaction<T>(
  knex: Knex,
  name: string,
  from: Position,
  to: Position,
  work: (trx: Knex.Transaction) => Promise<T>,
  fence?: (trx: Knex.Transaction) => Promise<void>,
): Promise<T> {
  return knex.transaction(async (trx) => {
    await fence?.(trx);
    await advanceCheckpoint(trx, name, from, to);
    return work(trx);
  });
}
