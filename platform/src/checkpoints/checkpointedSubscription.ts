import type { Knex } from 'knex';
import type { Position, RecordedEvent } from '@reelay/contracts';
import type { EventStore, Subscription } from '../eventStore/eventStore';
import type { Logger } from '../logging/logger';
import { CheckpointMoved, advanceCheckpoint, loadCheckpoint } from './checkpoints';

export interface CheckpointedSubscriptionOptions {
  /** The checkpoint's name: one per subscriber, shared by all its copies. */
  readonly name: string;
  readonly store: EventStore;
  /** The database that holds the checkpoint (and the subscriber's own tables). */
  readonly knex: Knex;
  readonly logger: Logger;
  readonly eventTypes?: readonly string[];
  readonly batchSize?: number;
  /** How long to wait before following the log again after a failure. */
  readonly retryDelayMs?: number;
  /** A batch's effects; what it does through `trx` commits together with the checkpoint. */
  readonly handle: (events: readonly RecordedEvent[], trx: Knex.Transaction) => Promise<void>;
}

export interface CheckpointedSubscription {
  stop(): Promise<void>;
  position(): Position;
}

/**
 * Follows the global log from a stored checkpoint, advancing it in the same transaction as each
 * batch's effects. When another copy moved the checkpoint, or a batch fails, it starts again from
 * the stored checkpoint, so a batch is never lost and never committed twice.
 */
export function startCheckpointedSubscription(options: CheckpointedSubscriptionOptions): CheckpointedSubscription {
  let stopped = false;
  let current: Subscription | undefined;
  let position: Position | undefined;
  let wake: (() => void) | undefined;

  const follow = async (): Promise<void> => {
    const from = await loadCheckpoint(options.knex, options.name);
    position = from;
    current = options.store.subscribeToAll({
      from,
      eventTypes: options.eventTypes,
      batchSize: options.batchSize,
      handle: async (events, to) => {
        await options.knex.transaction(async (trx) => {
          await options.handle(events, trx);
          await advanceCheckpoint(trx, options.name, position as Position, to);
        });
        position = to;
      },
    });
    // stop() may have come while the checkpoint was loading, before there was anything to stop.
    if (stopped) await current.stop();
    await current.done;
  };

  const loop = async () => {
    while (!stopped) {
      try {
        await follow();
      } catch (error) {
        if (stopped) break;
        if (error instanceof CheckpointMoved) {
          options.logger.info({ subscription: options.name }, 'another copy moved the checkpoint; following from there');
          continue;
        }
        options.logger.error({ err: error, subscription: options.name }, 'subscription failed; retrying');
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, options.retryDelayMs ?? 1000);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    }
  };
  const running = loop();

  return {
    async stop() {
      stopped = true;
      wake?.();
      await current?.stop();
      await running;
    },
    position: () => position ?? { commit: '0', prepare: '0' },
  };
}
