import { describe, it, expect, beforeEach, afterEach } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { createKnex, createLogger, loadConfig } from '@reelay/platform';
import { createTestEventStore, eventually } from '@reelay/testing';
import { startProjector, type RunningProjector } from './startProjector';
import { appendVideoEvents } from './testing/appendVideoEvents';
import { happyPath } from './testing/videoEventFixtures';

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
    expect(metrics).toMatch(/reelay_projection_lag_events\{projection="video_info",service="projector"\} 0/);
    expect(metrics).toMatch(/reelay_projection_lag_seconds\{projection="video_info",service="projector"\} 0/);
    expect(metrics).toMatch(/reelay_projection_lease_held\{projection="video_info",service="projector"\} 1/);
    expect(metrics).toMatch(/reelay_projection_active_version\{projection="video_info",service="projector"\} 1/);
    expect(metrics).toMatch(/reelay_projection_events_per_second\{projection="video_info",service="projector"\} [\d.]+/);
  });

  it('reports the events applied per second over the last 10 s', async () => {
    projector = await start();
    const knex = createKnex(eventStore.url, { max: 1 });
    try {
      const videoId = randomUUID();
      await appendVideoEvents(eventStore.store, videoId, happyPath(videoId, 'alice'));
      await eventually(async () => expect(await knex('video_info').where({ video_id: videoId }).first('status')).toEqual({ status: 'UPLOADED' }));
    } finally {
      await knex.destroy();
    }
    // Just applied: 4 events in the window of 10 s.
    const metrics = await (await fetch(`${projector.opsUrl}/metrics`)).text();
    expect(metrics).toMatch(/reelay_projection_events_per_second\{projection="video_info",service="projector"\} 0\.4\n/);
    // Another test's open transaction elsewhere in the cluster may hold events back at this moment.
    expect(metrics).toMatch(/reelay_event_log_held_back_events\{service="projector"\} \d+/);
    expect(metrics).toMatch(/reelay_event_log_holding_transaction_age_seconds\{service="projector"\} [\d.]+/);
    expect(metrics).toMatch(/reelay_event_log_holding_transaction_pid\{service="projector"\} \d+/);
  });

  it('starts twice on the same database, each start finding the schema in place', async () => {
    projector = await start();
    await projector.stop();
    projector = await start();
    expect((await fetch(`${projector.opsUrl}/readyz`)).status).toBe(200);
  });

  it('seals the event log every LOG_SEAL_INTERVAL_MS while it writes the read model', async () => {
    const videoId = randomUUID();
    await appendVideoEvents(eventStore.store, videoId, happyPath(videoId, 'alice'));
    projector = await startProjector(
      loadConfig({ DATABASE_URL: eventStore.url, HOST: '127.0.0.1', PROJECTOR_OPS_PORT: '0', LOG_SEAL_INTERVAL_MS: '100' }),
      createLogger('projector-test', 'silent'),
    );

    const knex = createKnex(eventStore.url, { max: 1 });
    try {
      await eventually(async () => {
        const seal = await knex('event_log_seal').orderBy('seal_number', 'desc').first('event_count');
        expect(Number(seal?.event_count)).toBe(4);
      });
    } finally {
      await knex.destroy();
    }
  });
});
