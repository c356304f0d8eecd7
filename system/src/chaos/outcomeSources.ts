import { createKnex } from '@reelay/platform';
import { openEventStore } from '@reelay/event-store';
import { createTestS3Client } from '@reelay/testing';
import type { OneSignalStandIn } from '@reelay/notifier/testing';
import type { OutcomeSources } from './verifyOutcome';

/** Opens what verifyOutcome reads: the log, the read model, the bucket; `close()` releases them. */
export async function openOutcomeSources(options: {
  databaseUrl: string;
  s3Endpoint: string;
  bucket: string;
  oneSignal: OneSignalStandIn;
}): Promise<OutcomeSources & { close(): Promise<void> }> {
  const events = await openEventStore({ EVENT_STORE_URL: options.databaseUrl }, { applicationName: 'reelay-chaos-verify', maxConnections: 4 });
  const knex = createKnex(options.databaseUrl, { max: 2, applicationName: 'reelay-chaos-verify' });
  const s3 = createTestS3Client(options.s3Endpoint);
  return {
    store: events.store,
    knex,
    s3,
    bucket: options.bucket,
    oneSignal: options.oneSignal,
    async close() {
      s3.destroy();
      await Promise.all([events.close(), knex.destroy()]);
    },
  };
}
