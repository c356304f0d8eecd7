export { startNotifier, NOTIFIER_CHECKPOINT, type NotifierOptions, type RunningNotifier } from './startNotifier';
export { PushRejected, PushUnavailable, type Push, type PushReceipt, type PushSender } from './push/pushSender';
export { pushMessage, type PushMessage } from './push/pushMessage';
export { OneSignalPushSender, oneSignalNotification, type OneSignalPushSenderOptions } from './push/oneSignalPushSender';
export { LoggingPushSender } from './push/loggingPushSender';
export { createPushSender } from './push/createPushSender';
export { DEFAULT_RETRY_POLICY, type RetryPolicy } from './notifyOnTerminalEvents/retryTransient';
