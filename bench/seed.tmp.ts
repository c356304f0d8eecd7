import { randomUUID } from 'node:crypto';
import { videoStreamName } from '@reelay/contracts';
import { openEventStore } from '@reelay/platform';
import { uploadStream } from './scenarios/replay';
async function main() {
  const events = await openEventStore({ EVENT_STORE_URL: process.env.EVENT_STORE_URL! }, { applicationName: 'seed', maxConnections: 8 });
  for (let i = 0; i < Number(process.argv[2]); i += 8) await Promise.all(Array.from({ length: 8 }, () => { const id = randomUUID(); return events.store.appendToStream(videoStreamName(id), uploadStream(id), { expectedRevision: 'no_stream' }); }));
  await events.close();
}
main();
