import type { Position, RecordedEvent } from '@reelay/contracts';
import type { SubscribeOptions, Subscription } from './eventStore';

/**
 * What every adapter's subscription shares: the position handed over last, the signal that stops
 * it, and `done`, which settles when its loop (`follow`) ends. The adapter writes `follow`: read
 * from `current`, hand batches over, move `current`, until `stopping` is aborted.
 */
export abstract class FollowingSubscription implements Subscription {
  protected current: Position;
  private readonly stopper = new AbortController();
  readonly done: Promise<void>;

  protected constructor(protected readonly options: SubscribeOptions) {
    this.current = options.from;
    // A tick later, so that `follow` runs once the subclass's own fields are set.
    this.done = Promise.resolve().then(() => this.follow());
    // A stopped subscription that nobody awaits must not crash the process.
    this.done.catch(() => undefined);
  }

  protected get stopping(): AbortSignal {
    return this.stopper.signal;
  }

  position(): Position {
    return this.current;
  }

  async stop(): Promise<void> {
    this.stopper.abort();
    await this.done.catch(() => undefined);
  }

  protected abstract follow(): Promise<void>;

  /** Hands a batch over and moves on; its failure is the handler's, never taken for a lost connection. */
  protected async handOver(events: readonly RecordedEvent[], to: Position): Promise<void> {
    try {
      await this.options.handle(events, to);
    } catch (error) {
      throw new HandlerFailed(error);
    }
    this.current = to;
  }
}

/** Carries a handler's rejection out of a read loop, which rethrows `cause` and stops. */
export class HandlerFailed {
  constructor(readonly cause: unknown) {}
}
