import { describe, it, expect, beforeEach, afterEach } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { migrateLeases, tryAcquireLease, createPool } from '@reelay/platform';
import { postgresLogDiagnostics } from '@reelay/event-store';
import { eventually, expectAgeSince, readWholeLog } from '@reelay/testing';
import { appendVideoEvents } from '../testing/appendVideoEvents';
import { createReadModelTestContext, type ReadModelTestContext } from '../testing/readModelTestContext';
import { happyPath } from '../testing/videoEventFixtures';
import { projectionLease, projectionStatus } from './projectionStatus';
import { rebuildVideoInfo } from './rebuildVideoInfo';

describe('the status of projections', () => {
  let context: ReadModelTestContext;
  let pool: pg.Pool;
  beforeEach(async () => {
    context = await createReadModelTestContext();
    pool = createPool(context.url, { max: 2 });
    await migrateLeases(context.knex);
  });
  afterEach(async () => {
    await pool.end();
    await context.dispose();
  });

  const status = async () => {
    const [videoInfo] = await projectionStatus(context.knex, postgresLogDiagnostics(pool));
    return videoInfo!;
  };

  it('shows the lag in events and seconds of a projection nobody runs, and no holder', async () => {
    const videoId = randomUUID();
    const began = Date.now();
    await appendVideoEvents(context.store, videoId, happyPath(videoId, 'alice'));
    const found = await status();
    expect(found).toMatchObject({ name: 'video_info', version: 1, position: { commit: '0', prepare: '0' }, holder: null, building: null });
    expect(found.lag.events).toBe(4);
    expectAgeSince(found.lag.seconds, began);
  });

  it('shows the version, the checkpoint at the head of the log and the process holding the lease', async () => {
    await migrateLeases(context.knex);
    const claim = await tryAcquireLease(context.knex, projectionLease('video_info'), 'host-a:1234:abc', 60_000);
    const videoId = randomUUID();
    await appendVideoEvents(context.store, videoId, happyPath(videoId, 'alice'));
    context.startProjection();
    await context.caughtUp();
    await rebuildVideoInfo({ knex: context.knex, store: context.store });

    const found = await status();
    expect(found).toMatchObject({ version: 2, lag: { events: 0, seconds: 0 }, holder: { process: 'host-a:1234:abc', token: claim?.token } });
    expect(found.position).toEqual(await context.store.headPosition());
  });

  it('shows a version being built, and where its replay has got to', async () => {
    const videoId = randomUUID();
    await appendVideoEvents(context.store, videoId, happyPath(videoId, 'alice'));
    // Another test's open transaction may hold the events back from readers for a moment.
    await readWholeLog(context.store, 4);
    let during: Awaited<ReturnType<typeof status>> | undefined;
    await rebuildVideoInfo({
      knex: context.knex,
      store: context.store,
      beforeSwitch: async () => {
        during = await status();
      },
    });
    expect(during).toMatchObject({ version: 1, building: { version: 2, position: await context.store.headPosition() } });
    expect(await status()).toMatchObject({ version: 2, building: null });
  });

  it('shows what holds the log back: events behind an open transaction, and its age', async () => {
    const blocker = await pool.connect();
    try {
      const began = Date.now();
      await blocker.query('begin');
      await blocker.query('select pg_current_xact_id()');
      const videoId = randomUUID();
      await appendVideoEvents(context.store, videoId, happyPath(videoId, 'alice'));
      // The cluster's oldest open transaction may be another test's; ours holds at least these.
      await eventually(async () => {
        const found = await status();
        expect(found.heldBack.heldBackEvents).toBeGreaterThanOrEqual(4);
        // The holder may be another test's transaction (transaction ids are cluster-wide), begun
        // before ours but within a test's timeout of it.
        expectAgeSince(found.heldBack.holder?.ageSeconds, began - 60_000);
        expect(found.lag.events).toBe(4);
      });
    } finally {
      await blocker.query('rollback');
      blocker.release();
    }
  });
});
