import { comparePositions, type Position, type RecordedEvent } from '@reelay/contracts';
import { abortableSleep } from '../../lifecycle/abortableSleep';
import type { SubscribeOptions, Subscription } from '../eventStore';
import type { CommitListener } from './commitListener';

interface GlobalReader {
  readAll(options: { from: Position; limit: number }): Promise<RecordedEvent[]>;
  headPosition(): Promise<Position>;
}

const HELD_BACK_FIRST_RETRY_MS = 10;
const HELD_BACK_MAX_RETRY_MS = 500;

/**
 * Follows the global log from a position: reads a batch, hands it over, and sleeps on the
 * commit listener when it has caught up. Filtering happens here rather than in SQL so that the
 * position always advances over the events a filter leaves out.
 */
export class PollingSubscription implements Subscription {
  private current: Position;
  private readonly abort = new AbortController();
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
    const batchSize = this.options.batchSize ?? 500;
    const wanted = this.options.eventTypes ? new Set(this.options.eventTypes) : undefined;
    let heldBackRetryMs = HELD_BACK_FIRST_RETRY_MS;
    while (!this.abort.signal.aborted) {
      const batch = await this.reader.readAll({ from: this.current, limit: batchSize });
      const last = batch[batch.length - 1];
      if (!last) {
        // Committed events may be held back behind an older write transaction still open (on
        // any database of the cluster); its commit notifies nobody here, so look again soon.
        if (comparePositions(await this.reader.headPosition(), this.current) > 0) {
          await abortableSleep(heldBackRetryMs, this.abort.signal);
          heldBackRetryMs = Math.min(heldBackRetryMs * 2, HELD_BACK_MAX_RETRY_MS);
        } else {
          await this.listener.wait(this.abort.signal);
        }
        continue;
      }
      heldBackRetryMs = HELD_BACK_FIRST_RETRY_MS;
      const events = wanted ? batch.filter((event) => wanted.has(event.type)) : batch;
      await this.options.handle(events, last.position);
      this.current = last.position;
    }
  }
}
