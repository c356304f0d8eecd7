import { abortableSleep, backoffDelay, comparePositions, type BackoffPolicy, type Position, type RecordedEvent } from '@reelay/contracts';
import type { SubscribeOptions } from '../eventStore';
import { FollowingSubscription, HandlerFailed } from '../followingSubscription';
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
export class PollingSubscription extends FollowingSubscription {
  private failedReads = 0;

  constructor(
    private readonly reader: GlobalReader,
    private readonly listener: CommitListener,
    options: SubscribeOptions,
  ) {
    super(options);
  }

  protected async follow(): Promise<void> {
    while (!this.stopping.aborted) {
      try {
        await this.readToTheEnd();
      } catch (error) {
        // Only a lost connection is waited out; a failing handler or a bad event stops us, the
        // handler's own error being what `done` rejects with.
        if (error instanceof HandlerFailed) throw error.cause;
        if (!isConnectionError(error) || this.stopping.aborted) throw error;
        this.failedReads += 1;
        await abortableSleep(backoffDelay(this.failedReads, RECONNECT), this.stopping);
      }
    }
  }

  private async readToTheEnd(): Promise<void> {
    const batchSize = this.options.batchSize ?? 500;
    const filtered = !isEmptyFilter(this.options);
    let heldBackLooks = 0;
    while (!this.stopping.aborted) {
      const batch = await this.reader.readAll({ from: this.current, limit: batchSize });
      this.failedReads = 0;
      const last = batch[batch.length - 1];
      if (!last) {
        // Committed events may be held back behind an older write transaction still open (on
        // any database of the cluster); its commit notifies nobody here, so look again soon.
        if (comparePositions(await this.reader.headPosition(), this.current) > 0) {
          heldBackLooks += 1;
          await abortableSleep(backoffDelay(heldBackLooks, HELD_BACK_RETRY), this.stopping);
        } else {
          await this.listener.wait(this.stopping);
        }
        continue;
      }
      heldBackLooks = 0;
      const events = filtered ? batch.filter((event) => matchesFilter(event, this.options)) : batch;
      await this.handOver(events, last.position);
    }
  }
}
