import path from 'node:path';
import { PROJECT_ROOT } from '@reelay/platform';
import { startServiceProcess, type ServiceProcess } from '@reelay/testing';
import { TEST_API_KEY, TEST_APP_ID, type NotifierTestEnvironment } from '../testing/notifierTestKit';

export type NotifierProcess = ServiceProcess;

/** Runs `notifier/src/main.ts` as production runs it, against the test environment and its OneSignal stand-in. */
export function startNotifierProcess(env: NotifierTestEnvironment, overrides: Record<string, string> = {}): NotifierProcess {
  return startServiceProcess(
    'notifier',
    path.join(PROJECT_ROOT, 'notifier/src/main.ts'),
    {
      ...process.env,
      DATABASE_URL: env.readModelUrl,
      EVENT_STORE_URL: env.eventStoreUrl,
      NOTIFIER_OPS_PORT: '0',
      ONESIGNAL_APP_ID: TEST_APP_ID,
      ONESIGNAL_API_KEY: TEST_API_KEY,
      ONESIGNAL_API_URL: env.standIn.url,
      LOG_LEVEL: 'info',
      ...overrides,
    },
    'notifier running',
  );
}
