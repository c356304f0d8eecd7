import { asVideoEvent, newEvent, videoIdOfStream, type RecordedEvent, type VideoState } from '@reelay/contracts';
import type { Logger, PersonalDataVault } from '@reelay/platform';
import type { CommandHandler } from '@reelay/event-store';
import { PushRejected, type Push, type PushSender } from '../push/pushSender';
import {
  isTerminalEvent,
  notificationMetadata,
  decidePush,
  decidePushOutcome,
  type PushOutcome,
  type TerminalEvent,
} from './decideNotification';
import { countPush, countSkip, type NotifierMetrics } from './notifierMetrics';
import { retryTransient, type RetryPolicy } from './retryTransient';

export interface TerminalEventNotifierDeps {
  readonly repository: CommandHandler<VideoState | undefined>;
  readonly sender: PushSender;
  readonly metrics: NotifierMetrics;
  readonly logger: Logger;
  readonly retry: RetryPolicy;
  /** Opens the sealed title and file name a push names; without it they are used as stored. */
  readonly personalData?: PersonalDataVault;
}

/**
 * Pushes one terminal event, at most once: it checks the video's stream for an earlier record,
 * sends with the event's id as the provider's idempotency key, and records the outcome in the
 * stream. A crash between the send and the record sends again on restart with the same key,
 * which the provider de-duplicates.
 */
export class TerminalEventNotifier {
  constructor(private readonly deps: TerminalEventNotifierDeps) {}

  /**
   * Resolves when the event is pushed and recorded, rejected for good and recorded, or needs no
   * push. Rejects when the provider stayed unavailable through every retry, or when `signal`
   * aborts: nothing is recorded then, and the event is handled again later.
   */
  async notify(recorded: RecordedEvent, signal: AbortSignal): Promise<void> {
    const event = asVideoEvent(recorded);
    if (!isTerminalEvent(event)) return;
    const videoId = videoIdOfStream(event.streamName);
    const loaded = videoId ? await this.deps.repository.load(videoId) : undefined;
    const state = loaded && this.deps.personalData ? await this.deps.personalData.openState(loaded) : loaded;
    const decision = decidePush(event, state);
    if (decision.action === 'skip') {
      countSkip(this.deps.metrics, decision.reason);
      this.deps.logger.debug({ eventId: event.id, videoId, reason: decision.reason }, 'no push for terminal event');
      return;
    }
    const outcome = await this.send(decision.push, signal);
    await this.record(event, decision.push, outcome);
  }

  private async send(push: Push, signal: AbortSignal): Promise<PushOutcome> {
    const { sender, metrics, logger, retry } = this.deps;
    try {
      const receipt = await retryTransient(() => sender.send(push), retry, signal, {
        onRetry: (error, attempt, delayMs) => {
          metrics.retries.inc({ provider: sender.provider });
          logger.warn({ err: error, videoId: push.videoId, eventId: push.idempotencyKey, attempt, delayMs }, 'push failed for now; retrying');
        },
      });
      return { status: 'sent', provider: sender.provider, providerId: receipt.providerId };
    } catch (error) {
      if (!(error instanceof PushRejected)) throw error;
      logger.warn({ err: error, videoId: push.videoId, eventId: push.idempotencyKey }, 'push rejected for good; recording the failure');
      return { status: 'rejected', provider: sender.provider, error: error.message, providerStatus: error.status };
    }
  }

  private async record(event: TerminalEvent, push: Push, outcome: PushOutcome): Promise<void> {
    const decision = await this.deps.repository.decide(push.videoId, (state) =>
      decidePushOutcome({ forEventId: event.id, kind: push.kind, outcome }, state).map((record) => newEvent(record, notificationMetadata(event, push))),
    );
    countPush(this.deps.metrics, outcome.provider, push.kind, outcome.status === 'sent' ? 'sent' : 'failed');
    this.deps.logger.info(
      { videoId: push.videoId, eventId: event.id, kind: push.kind, outcome: outcome.status, recorded: decision.appended.length > 0 },
      outcome.status === 'sent' ? 'push sent' : 'push failed for good',
    );
  }
}
