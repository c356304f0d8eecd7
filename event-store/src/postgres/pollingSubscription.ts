import { abortableSleep, backoffDelay, comparePositions, type BackoffPolicy, type Position, type RecordedEvent } from '@reelay/contracts';
import type { SubscribeOptions, Subscription } from '../eventStore';
import { isEmptyFilter, matchesFilter } from '../eventFilter';
import type { CommitListener } from './commitListener';
import { isConnectionError } from '@reelay/platform/postgres';

interface GlobalReader {
  readAll(options: { from: Position; limit: number }): Promise<RecordedEvent[]>;
  headPosition(): Promise<Position>;
}

const HELD_BACK_RETRY: BackoffPolicy = { initialMs: 10, maxMs: 500, jitter: 'none' };
const RECONNECT: BackoffPolicy = { initialMs: 50, maxMs: 2000, jitter: 'none' };

/**
 * Follows the global log from a position: reads a batch, hands it over, and sleeps on the
 * commit listener when it has caught up. Filtering happens here rather than in SQL so that the
 * position always advances over the events a filter leaves out. A lost connection only pauses
 * it: it reads again, on a new connection, from after the last batch handled.
 */
export class PollingSubscription implements Subscription {
  private current: Position;
  private readonly abort = new AbortController();
  private failedReads = 0;
  readonly done: Promise<void>;

  constructor(
    private readonly reader: GlobalReader,
    private readonly listener: CommitListener,
    private readonly options: SubscribeOptions,
  ) {
    this.current = options.from;
    this.done = this.run();
    // A stopped subscription that nobody awaits must not crash the process.
    this.done.catch(() => undefined);
  }

  position(): Position {
    return this.current;
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.done.catch(() => undefined);
  }

  private async run(): Promise<void> {
    while (!this.abort.signal.aborted) {
      try {
        await this.follow();
      } catch (error) {
        // Only a lost connection is waited out; a failing handler or a bad event stops us, the
        // handler's own error being what `done` rejects with.
        if (error instanceof HandlerFailed) throw error.cause;
        if (!isConnectionError(error) || this.abort.signal.aborted) throw error;
        this.failedReads += 1;
        await abortableSleep(backoffDelay(this.failedReads, RECONNECT), this.abort.signal);
      }
    }
  }

  private async follow(): Promise<void> {
    const batchSize = this.options.batchSize ?? 500;
    const filtered = !isEmptyFilter(this.options);
    let heldBackLooks = 0;
    while (!this.abort.signal.aborted) {
      const batch = await this.reader.readAll({ from: this.current, limit: batchSize });
      this.failedReads = 0;
      const last = batch[batch.length - 1];
      if (!last) {
        // Committed events may be held back behind an older write transaction still open (on
        // any database of the cluster); its commit notifies nobody here, so look again soon.
        if (comparePositions(await this.reader.headPosition(), this.current) > 0) {
          heldBackLooks += 1;
          await abortableSleep(backoffDelay(heldBackLooks, HELD_BACK_RETRY), this.abort.signal);
        } else {
          await this.listener.wait(this.abort.signal);
        }
        continue;
      }
      heldBackLooks = 0;
      const events = filtered ? batch.filter((event) => matchesFilter(event, this.options)) : batch;
      await this.handle(events, last.position);
    }
  }

  /** Hands a batch over; its failure is the handler's, never mistaken for a lost connection. */
  private async handle(events: readonly RecordedEvent[], to: Position): Promise<void> {
    try {
      await this.options.handle(events, to);
    } catch (error) {
      throw new HandlerFailed(error);
    }
    this.current = to;
  }
}

/** Carries a handler's rejection out of the read loop, so it is not taken for a lost connection. */
class HandlerFailed {
  constructor(readonly cause: unknown) {}
}
