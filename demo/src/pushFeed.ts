import { asVideoEvent, videoIdOfStream, type VideoStatus } from '@reelay/contracts';
import type { Logger } from '@reelay/platform';
import type { EventStore, Subscription } from '@reelay/event-store';

/** A push the notifier recorded, as the demo page receives it: the push's own data and more. */
export interface RecordedPush {
  readonly videoId: string;
  /** The status the push announced, as in the push's data (`{videoId, status}`). */
  readonly status: VideoStatus;
  /** `sent`: the provider took it (`NotificationSent`); `failed`: it refused it for good. */
  readonly outcome: 'sent' | 'failed';
  /** `log` when no OneSignal keys are set (the development default), else `onesignal`. */
  readonly provider: string;
  readonly at: string;
}

type Listener = (push: RecordedPush) => void;

/**
 * Follows the log for the pushes the notifier records (`NotificationSent`, `NotificationFailed`)
 * and hands each to the listeners of its user. It reads what the notifier wrote after sending,
 * so the page shows a push only once it has really gone out, whatever the provider, and the
 * notifier needs no second channel to the page. Live only: it starts at the head of the log.
 */
export class PushFeed {
  private readonly listeners = new Map<string, Set<Listener>>();
  private subscription: Subscription | undefined;

  constructor(
    private readonly store: EventStore,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    this.subscription = this.store.subscribeToAll({
      from: await this.store.headPosition(),
      eventTypes: ['NotificationSent', 'NotificationFailed'],
      handle: async (events) => {
        for (const recorded of events) this.deliver(recorded);
      },
    });
    this.subscription.done.catch((error: unknown) => this.logger.error({ err: error }, 'the push feed stopped'));
  }

  private deliver(recorded: Parameters<typeof asVideoEvent>[0]): void {
    const event = asVideoEvent(recorded);
    const userId = (recorded.metadata as { userId?: string }).userId;
    const videoId = videoIdOfStream(recorded.streamName);
    if (!userId || !videoId || (event.type !== 'NotificationSent' && event.type !== 'NotificationFailed')) return;
    const push: RecordedPush = {
      videoId,
      status: event.data.kind === 'UPLOAD_COMPLETED' ? 'UPLOADED' : 'FAILED',
      outcome: event.type === 'NotificationSent' ? 'sent' : 'failed',
      provider: event.data.provider,
      at: new Date(recorded.recordedAt).toISOString(),
    };
    for (const listener of this.listeners.get(userId) ?? []) listener(push);
  }

  /** Calls `listener` with every push of `userId` from now on; returns the way to stop. */
  listen(userId: string, listener: Listener): () => void {
    const set = this.listeners.get(userId) ?? new Set();
    set.add(listener);
    this.listeners.set(userId, set);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(userId);
    };
  }

  async stop(): Promise<void> {
    await this.subscription?.stop();
  }
}
