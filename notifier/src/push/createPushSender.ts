import type { Config, Logger } from '@reelay/platform';
import { LoggingPushSender } from './loggingPushSender';
import { OneSignalPushSender } from './oneSignalPushSender';
import type { PushSender } from './pushSender';

/** OneSignal when both its app id and API key are configured, the log otherwise. */
export function createPushSender(config: Pick<Config, 'ONESIGNAL_APP_ID' | 'ONESIGNAL_API_KEY' | 'ONESIGNAL_API_URL'>, logger: Logger): PushSender {
  const { ONESIGNAL_APP_ID: appId, ONESIGNAL_API_KEY: apiKey, ONESIGNAL_API_URL: apiUrl } = config;
  if (appId && apiKey) return new OneSignalPushSender({ appId, apiKey, apiUrl });
  if (appId || apiKey) {
    logger.warn(`only ${appId ? 'ONESIGNAL_APP_ID' : 'ONESIGNAL_API_KEY'} is set; OneSignal needs both`);
  }
  return new LoggingPushSender(logger);
}
