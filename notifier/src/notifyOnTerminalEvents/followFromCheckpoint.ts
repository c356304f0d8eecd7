import type { Knex } from 'knex';
import { START, type Position, type RecordedEvent } from '@reelay/contracts';
import { CheckpointMoved, advanceCheckpoint, loadCheckpoint, type EventStore, type Logger, type Subscription } from '@reelay/platform';
import { sleep } from './retryTransient';

export interface FollowFromCheckpointOptions {
  /** The checkpoint's name, shared by every copy of the subscriber. */
  readonly name: string;
  readonly store: EventStore;
  /** The database that holds the checkpoint. */
  readonly knex: Knex;
  readonly logger: Logger;
  readonly eventTypes?: readonly string[];
  readonly batchSize?: number;
  /** The pause before following the log again after a batch failed. */
  readonly restartDelayMs: number;
  /**
   * A batch's effects. Rejecting stops the subscription without moving the checkpoint, so the
   * batch is handled again after the pause; `signal` aborts when the follower stops.
   */
  readonly handle: (events: readonly RecordedEvent[], signal: AbortSignal) => Promise<void>;
}

export interface CheckpointFollower {
  /** Lets the batch in flight finish or give up (its signal aborts), then stops following. */
  stop(): Promise<void>;
  /** The position after the last batch this copy checkpointed (or loaded). */
  position(): Position;
}

/**
 * Follows the global log from a stored checkpoint and moves the checkpoint after each batch.
 * When another copy moved it first (CheckpointMoved) it goes on from there at once; when a batch
 * fails it starts again from the stored checkpoint after a pause, so no event is skipped.
 *
 * Why not platform's `startCheckpointedSubscription`: that one keeps a database transaction open
 * around the whole batch so a projection's rows commit with the checkpoint. The notifier's effects
 * are HTTP calls and appends to the event store, which that transaction cannot cover, and holding
 * it through retries and backoff only ties up a connection. It also cannot be stopped while it is
 * loading the checkpoint (it subscribes afterwards and waits forever); this one can.
 */
export function followFromCheckpoint(options: FollowFromCheckpointOptions): CheckpointFollower {
  const { name, store, knex, logger } = options;
  const stopping = new AbortController();
  let current: Subscription | undefined;
  let position: Position = START;

  const followOnce = async (): Promise<void> => {
    const from = await loadCheckpoint(knex, name);
    position = from;
    const subscription = store.subscribeToAll({
      from,
      eventTypes: options.eventTypes,
      batchSize: options.batchSize,
      handle: async (events, to) => {
        await options.handle(events, stopping.signal);
        await knex.transaction((trx) => advanceCheckpoint(trx, name, position, to));
        position = to;
      },
    });
    current = subscription;
    // stop() may have run while the checkpoint was loading, before there was anything to stop.
    if (stopping.signal.aborted) await subscription.stop();
    await subscription.done;
  };

  const run = async (): Promise<void> => {
    while (!stopping.signal.aborted) {
      try {
        await followOnce();
      } catch (error) {
        if (stopping.signal.aborted) break;
        if (error instanceof CheckpointMoved) {
          logger.info({ subscription: name }, 'another copy moved the checkpoint; following from there');
          continue;
        }
        logger.error({ err: error, subscription: name, restartInMs: options.restartDelayMs }, 'a batch failed; following again from the checkpoint after a pause');
        await sleep(options.restartDelayMs, stopping.signal).catch(() => undefined);
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
