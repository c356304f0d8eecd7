import { randomUUID } from 'node:crypto';
import { createKnex, createLogger, loadConfig } from '@reelay/platform';
import { createTestEventStore, eventually } from '@reelay/platform/testing';
import { startProjector, type RunningProjector } from './startProjector';
import { appendVideoEvents } from './testSupport/appendVideoEvents';
import { happyPath } from './testSupport/videoEventFixtures';

describe('the projector process', () => {
  let eventStore: Awaited<ReturnType<typeof createTestEventStore>>;
  let projector: RunningProjector | undefined;

  beforeEach(async () => {
    eventStore = await createTestEventStore();
  });

  afterEach(async () => {
    await projector?.stop();
    projector = undefined;
    await eventStore.dispose();
  });

  const start = () =>
    startProjector(loadConfig({ DATABASE_URL: eventStore.url, HOST: '127.0.0.1', PROJECTOR_OPS_PORT: '0' }), createLogger('projector-test', 'silent'));

  it('migrates the read model, projects the log and serves health, readiness and metrics', async () => {
    const videoId = randomUUID();
    await appendVideoEvents(eventStore.store, videoId, happyPath(videoId, 'alice'));
    projector = await start();

    const knex = createKnex(eventStore.url, { max: 1 });
    try {
      await eventually(async () => expect(await knex('video_info').where({ video_id: videoId }).first('status')).toEqual({ status: 'UPLOADED' }));
    } finally {
      await knex.destroy();
    }
    expect((await fetch(`${projector.opsUrl}/healthz`)).status).toBe(200);
    expect((await fetch(`${projector.opsUrl}/readyz`)).status).toBe(200);
    const metrics = await (await fetch(`${projector.opsUrl}/metrics`)).text();
    expect(metrics).toMatch(/reelay_projection_lag_positions\{projection="video_info",service="projector"\} 0/);
    expect(metrics).toMatch(/reelay_projection_events_total\{projection="video_info",service="projector"\} 4/);
  });

  it('starts twice on the same database, each start finding the schema in place', async () => {
    projector = await start();
    await projector.stop();
    projector = await start();
    expect((await fetch(`${projector.opsUrl}/readyz`)).status).toBe(200);
  });
});
