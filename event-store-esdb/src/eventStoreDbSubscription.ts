import {
  eventTypeFilter,
  excludeSystemEvents,
  streamNameFilter,
  type AllStreamResolvedEvent,
  type AllStreamSubscription,
  type EventStoreDBClient,
  type Filter,
} from '@eventstore/db-client';
import { abortableSleep, backoffDelay, comparePositions, type BackoffPolicy, type RecordedEvent } from '@reelay/contracts';
import { EventStoreUnavailable, FollowingSubscription, HandlerFailed, matchesFilter, type EventFilter, type SubscribeOptions } from '@reelay/event-store';
import { isUnavailable } from './esdbErrors';
import { isSystemEvent, positionOf, toReadPosition, toRecorded } from './esdbMapping';

const RECONNECT: BackoffPolicy = { initialMs: 50, maxMs: 2000, jitter: 'none' };

/**
 * A catch-up subscription to `$all` with the port's contract: batches of what has arrived (up to
 * `batchSize`), each handled before the next is taken, and after a lost connection a new
 * subscription from the last position handled, so nothing is skipped or delivered twice.
 *
 * The server filters (by type, else by stream prefix, else just system events), and the port's
 * filter is applied again here for the part the server could not take. Positions handed over are
 * always those of events actually received: the server's filter checkpoints are not used, because
 * resuming exclusively from one could skip an event that sits exactly at it.
 */
export class EventStoreDbSubscription extends FollowingSubscription {
  private nudged = false;
  private wakeUp: (() => void) | undefined;

  constructor(
    private readonly client: EventStoreDBClient,
    options: SubscribeOptions,
  ) {
    super(options);
    this.stopping.addEventListener('abort', this.nudge, { once: true });
  }

  protected async follow(): Promise<void> {
    let failures = 0;
    while (!this.stopping.aborted) {
      const before = this.current;
      try {
        await this.followOnce();
      } catch (error) {
        if (error instanceof HandlerFailed) throw error.cause;
        if (this.stopping.aborted) return;
        if (!isUnavailable(error) && !(error instanceof EventStoreUnavailable)) throw error;
        // One that got somewhere before failing starts again from the first delay.
        failures = comparePositions(this.current, before) > 0 ? 1 : failures + 1;
        await abortableSleep(backoffDelay(failures, RECONNECT), this.stopping);
      }
    }
  }

  /** One server subscription from `current`, until it fails, ends, or we stop. */
  private async followOnce(): Promise<void> {
    const subscription = this.client.subscribeToAll({ fromPosition: toReadPosition(this.current), filter: serverFilter(this.options) });
    let failure: unknown;
    let ended = false;
    subscription
      .on('readable', this.nudge)
      .on('error', (error: unknown) => {
        failure ??= error;
        this.nudge();
      })
      .on('end', () => {
        ended = true;
        this.nudge();
      });
    try {
      while (!this.stopping.aborted) {
        this.nudged = false;
        const arrived = readAvailable(subscription, this.options.batchSize ?? 500);
        if (arrived.length > 0) {
          await this.deliver(arrived);
          continue;
        }
        if (failure) throw failure;
        if (ended) throw new EventStoreUnavailable('EventStoreDB ended the subscription');
        await this.nextNudge();
      }
    } finally {
      subscription.removeAllListeners('readable');
      subscription.on('error', () => undefined);
      await subscription.unsubscribe().catch(() => undefined);
    }
  }

  private async deliver(arrived: readonly AllStreamResolvedEvent[]): Promise<void> {
    const events: RecordedEvent[] = [];
    let to = this.current;
    for (const resolved of arrived) {
      const position = positionOf(resolved);
      if (!position || comparePositions(position, to) <= 0) continue;
      to = position;
      if (isSystemEvent(resolved)) continue;
      const event = toRecorded(resolved);
      if (matchesFilter(event, this.options)) events.push(event);
    }
    if (comparePositions(to, this.current) > 0) await this.handOver(events, to);
  }

  private readonly nudge = (): void => {
    this.nudged = true;
    this.wakeUp?.();
  };

  /** Resolves at once if something happened since the loop last looked, else on the next event. */
  private async nextNudge(): Promise<void> {
    if (this.nudged) return;
    await new Promise<void>((resolve) => {
      this.wakeUp = resolve;
    });
    this.wakeUp = undefined;
  }
}

/** The server-side part of the filter: EventStoreDB takes one kind, by type or by stream prefix. */
function serverFilter(filter: EventFilter): Filter {
  if (filter.eventTypes) return eventTypeFilter({ regex: `^(?:${filter.eventTypes.map(escapeRegex).join('|')})$` });
  if (filter.streamPrefixes) return streamNameFilter({ prefixes: [...filter.streamPrefixes] });
  return excludeSystemEvents();
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** What the subscription has buffered, without waiting. */
function readAvailable(subscription: AllStreamSubscription, max: number): AllStreamResolvedEvent[] {
  const items: AllStreamResolvedEvent[] = [];
  while (items.length < max) {
    const item = subscription.read() as AllStreamResolvedEvent | null;
    if (item === null) break;
    items.push(item);
  }
  return items;
}
