import type { Logger } from '@reelay/platform';
import { pushMessage } from './pushMessage';
import type { Push, PushReceipt, PushSender } from './pushSender';

/**
 * The push sender when no OneSignal keys are configured (the embedded default of `npm start`):
 * each push becomes one JSON log line, so a developer sees what a user would have received.
 */
export class LoggingPushSender implements PushSender {
  readonly provider = 'log';

  constructor(private readonly logger: Logger) {}

  async send(push: Push): Promise<PushReceipt> {
    const message = pushMessage(push);
    this.logger.info(
      { provider: this.provider, push: { ...push, heading: message.heading, content: message.content, data: message.data } },
      'push written to the log (no OneSignal keys configured)',
    );
    return { providerId: null };
  }
}
