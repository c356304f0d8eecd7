import { DefaultApi, ServerConfiguration, createConfiguration, type CreateNotificationSuccessResponse, type Notification } from '@onesignal/node-onesignal';
import { classifyOneSignalError } from './oneSignalErrors';
import { pushMessage } from './pushMessage';
import { PushRejected, type Push, type PushReceipt, type PushSender } from './pushSender';
import { timeoutFetchHttpLibrary } from './timeoutFetchHttpLibrary';

/** What the OneSignal adapter needs: the app, its REST API key, and where the API lives. */
export interface OneSignalPushSenderOptions {
  readonly appId: string;
  readonly apiKey: string;
  /** `https://api.onesignal.com` in production; a loopback stand-in in tests. */
  readonly apiUrl: string;
  /** How long one request may take before it counts as a transient failure. */
  readonly timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * Sends pushes through OneSignal's official client (`@onesignal/node-onesignal`; the older
 * `onesignal-node` is unmaintained, see DESIGN.md). The user is addressed by the `external_id`
 * alias, which the app sets to the Reelay user id when it logs in to OneSignal.
 */
export class OneSignalPushSender implements PushSender {
  readonly provider = 'onesignal';
  private readonly api: DefaultApi;

  constructor(private readonly options: OneSignalPushSenderOptions) {
    const configuration = createConfiguration({
      restApiKey: options.apiKey,
      // ServerConfiguration appends the endpoint's path to this URL as it is.
      baseServer: new ServerConfiguration(options.apiUrl.replace(/\/+$/, ''), {}),
      httpApi: timeoutFetchHttpLibrary(options.timeoutMs ?? DEFAULT_TIMEOUT_MS),
    });
    this.api = new DefaultApi(configuration);
  }

  async send(push: Push): Promise<PushReceipt> {
    let response: CreateNotificationSuccessResponse;
    try {
      response = await this.api.createNotification(oneSignalNotification(this.options.appId, push));
    } catch (error) {
      throw classifyOneSignalError(error);
    }
    // OneSignal answers 200 without an id when nobody could be targeted ("All included players
    // are not subscribed"): nothing was sent, and sending again will not change that.
    if (!response.id) {
      throw new PushRejected(`OneSignal created no notification: ${describeErrors(response.errors)}`, 200);
    }
    return { providerId: response.id };
  }
}

/** The OneSignal request body for a push. */
export function oneSignalNotification(appId: string, push: Push): Notification {
  const message = pushMessage(push);
  return {
    app_id: appId,
    include_aliases: { external_id: [push.userId] },
    target_channel: 'push',
    headings: { en: message.heading },
    contents: { en: message.content },
    data: { ...message.data },
    // OneSignal keeps one notification per idempotency key for 30 days: a push re-sent after a
    // crash or by a second notifier copy is answered with the first notification's id.
    idempotency_key: push.idempotencyKey,
  };
}

function describeErrors(errors: unknown): string {
  if (Array.isArray(errors)) return errors.map(String).join('; ') || 'no reason given';
  if (errors && typeof errors === 'object') return JSON.stringify(errors);
  return errors === undefined || errors === null ? 'no reason given' : String(errors);
}
