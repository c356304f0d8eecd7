import type { NotificationKind } from '@reelay/contracts';

/** One push to one user about one terminal event of one video. */
export interface Push {
  /** The video's owner; push providers address the user by this id (OneSignal's `external_id` alias). */
  readonly userId: string;
  readonly videoId: string;
  readonly kind: NotificationKind;
  /** The video's title, as shown in the message. */
  readonly title: string;
  /**
   * The id of the terminal event the push announces. Providers that de-duplicate (OneSignal does,
   * for 30 days) create one notification per key however often it is sent.
   */
  readonly idempotencyKey: string;
}

/** What a provider answered for an accepted push. */
export interface PushReceipt {
  /** The provider's id of the notification, or null when the provider gives none. */
  readonly providerId: string | null;
}

/**
 * The push port. `send` resolves once the provider accepted the push; it rejects with
 * `PushRejected` when sending again cannot help, and with any other error (usually
 * `PushUnavailable`) when a later attempt may succeed.
 */
export interface PushSender {
  /** Recorded in `NotificationSent.provider`, e.g. `onesignal` or `log`. */
  readonly provider: string;
  send(push: Push): Promise<PushReceipt>;
}

/**
 * The provider refused this push for good (invalid app, malformed request, no subscribed device):
 * the notifier records `NotificationFailed` and does not try again.
 */
export class PushRejected extends Error {
  override readonly name = 'PushRejected';
  constructor(
    message: string,
    /** The provider's HTTP status, when it answered with one. */
    readonly status: number | null = null,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/**
 * The provider could not be reached or asked us to come back later (network error, timeout,
 * 5xx, 429): the same push, with the same idempotency key, may succeed later.
 */
export class PushUnavailable extends Error {
  override readonly name = 'PushUnavailable';
  constructor(
    message: string,
    readonly status: number | null = null,
    /** How long the provider asked us to wait (`Retry-After`), when it said. */
    readonly retryAfterMs: number | null = null,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
