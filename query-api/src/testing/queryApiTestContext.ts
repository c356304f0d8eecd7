import { randomUUID } from 'node:crypto';
import { newEvent, videoStreamName, type VideoEvent } from '@reelay/contracts';
import { createKnex, createLogger, loadConfig, migrateIntakeProgress, type HttpApp } from '@reelay/platform';
import { signToken } from '@reelay/platform/auth';
import { createTestEventStore, eventually } from '@reelay/testing';
import { VideoInfoProjection, migrateReadModel } from '@reelay/projector';
import { buildQueryApp, type QueryAppOptions } from '../app';


/**
 * The query API listening on a random port over a database of the test's own, fed by the real
 * projector from a real event store: `record()` appends events and waits until they are projected.
 */
export async function createQueryApiTestContext() {
  const eventStore = await createTestEventStore();
  const knex = createKnex(eventStore.url, { max: 6 });
  await migrateReadModel(knex);
  await migrateIntakeProgress(knex);
  const logger = createLogger('query-api-test', 'silent');
  const projection = new VideoInfoProjection({ knex, store: eventStore.store, logger, retryDelayMs: 50 });
  projection.start();
  const config = loadConfig({ DATABASE_URL: eventStore.url });
  const apps: HttpApp[] = [];

  /** Another app on the same database, e.g. to close it in a test; closed by dispose(). */
  async function startApp(options: Pick<QueryAppOptions, 'cache'> = {}): Promise<{ app: HttpApp; baseUrl: string }> {
    const app = buildQueryApp({ config, logger, knex, ...options });
    apps.push(app);
    return { app, baseUrl: await app.listen({ host: '127.0.0.1', port: 0 }) };
  }
  const { baseUrl } = await startApp();

  return {
    baseUrl,
    knex,
    store: eventStore.store,
    startApp,
    /** GET as `userId` (no Authorization header when null). */
    async get(path: string, options: { as: string | null; headers?: Record<string, string>; base?: string }) {
      const authorization: Record<string, string> = options.as === null ? {} : { authorization: `Bearer ${await signToken(options.as)}` };
      return fetch(`${options.base ?? baseUrl}${path}`, { headers: { ...authorization, ...options.headers } });
    },
    /** Appends `events` to the video's stream after `afterRevision` and waits for the projector. */
    async record(videoId: string, events: readonly VideoEvent[], afterRevision = -1): Promise<void> {
      const metadata = { correlationId: randomUUID(), causationId: randomUUID(), userId: 'test' };
      await eventStore.store.appendToStream(
        videoStreamName(videoId),
        events.map((event) => newEvent(event, metadata)),
        { expectedRevision: afterRevision < 0 ? 'no_stream' : afterRevision },
      );
      const revision = afterRevision + events.length;
      await eventually(async () => {
        const row = await knex('video_info').where({ video_id: videoId }).first('last_revision');
        if (Number(row?.last_revision ?? -1) < revision) throw new Error(`video ${videoId} not yet at revision ${revision}`);
      });
    },
    /** The current value of a gauge without labels from /metrics. */
    async gauge(name: string): Promise<number> {
      const text = await (await fetch(`${baseUrl}/metrics`)).text();
      const line = text.split('\n').find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
      return Number(line?.split(' ').pop());
    },
    async dispose(): Promise<void> {
      await Promise.all(apps.map((app) => app.close()));
      await projection.stop();
      await knex.destroy();
      await eventStore.dispose();
    },
  };
}

export type QueryApiTestContext = Awaited<ReturnType<typeof createQueryApiTestContext>>;
