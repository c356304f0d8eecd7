import { describe, it, expect, beforeEach, afterEach } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { VideoEvent } from '@reelay/contracts';
import { eventually } from '@reelay/testing';
import { readProjectionVersions } from '../readModel/projectionVersions';
import { appendVideoEvents } from '../testing/appendVideoEvents';
import { createReadModelTestContext, type ReadModelTestContext } from '../testing/readModelTestContext';
import { happyPath } from '../testing/videoEventFixtures';
import { VIDEO_INFO_CHANGED_CHANNEL } from '../videoInfo/videoInfo';
import { RebuildAlreadyRunning } from './rebuildLease';
import { rebuildVideoInfo } from './rebuildVideoInfo';

describe('rebuilding video_info', () => {
  let context: ReadModelTestContext;
  beforeEach(async () => {
    context = await createReadModelTestContext();
  });
  afterEach(async () => {
    await context.dispose();
  });

  /** The served rows without the time they were written, which a rebuild rewrites by design. */
  const served = async () => (await context.knex('video_info').orderBy('video_id').select('*')).map(({ updated_at: _, ...row }) => row);
  const tables = async () => (await context.knex('pg_tables').where('tablename', 'like', 'video_info_v%').orderBy('tablename').pluck('tablename')) as string[];
  const appendUploads = async (count: number, user = 'alice') => {
    const ids = Array.from({ length: count }, () => randomUUID());
    for (const id of ids) await appendVideoEvents(context.store, id, happyPath(id, user));
    return ids;
  };

  it('switches to a new version holding the same rows, drops the old one, and projects new events into the new one', async () => {
    await appendUploads(6);
    context.startProjection();
    await context.caughtUp();
    const before = await served();

    const result = await rebuildVideoInfo({ knex: context.knex, store: context.store, pageSize: 5 });

    expect(result).toMatchObject({ name: 'video_info', fromVersion: 1, toVersion: 2, events: 24, changedRows: 0 });
    expect(await served()).toEqual(before);
    expect(await readProjectionVersions(context.knex, 'video_info')).toMatchObject({ activeVersion: 2, buildingVersion: null });
    expect(await tables()).toEqual(['video_info_v2']);

    // The projection that ran through the rebuild now writes into version 2.
    const [later] = await appendUploads(1, 'bob');
    await context.caughtUp();
    expect(await context.knex('video_info_v2').where({ video_id: later }).first('status', 'user_id')).toEqual({ status: 'UPLOADED', user_id: 'bob' });
  });

  it('catches up with events appended during the replay, at the switch, without losing or doubling any', async () => {
    await appendUploads(4);
    context.startProjection({ batchSize: 2 });
    const appendedDuring: string[] = [];
    const result = await rebuildVideoInfo({
      knex: context.knex,
      store: context.store,
      pageSize: 3,
      // Events that land after the replay but before the switch: the live projection may or may
      // not have applied them when the switch starts; either way the new version must hold them.
      beforeSwitch: async () => {
        appendedDuring.push(...(await appendUploads(3, 'carol')));
        const pending = randomUUID();
        appendedDuring.push(pending);
        await appendVideoEvents(context.store, pending, happyPath(pending, 'dave').slice(0, 1));
      },
    });
    expect(result.toVersion).toBe(2);
    await context.caughtUp();
    const rows = await context.knex('video_info').select('video_id', 'status', 'last_revision');
    expect(rows).toHaveLength(8);
    const [pending, ...uploaded] = [...appendedDuring].reverse();
    for (const id of uploaded) expect(rows).toContainEqual({ video_id: id, status: 'UPLOADED', last_revision: 3 });
    expect(rows).toContainEqual({ video_id: pending, status: 'PENDING', last_revision: 0 });

    // Replaying the whole log again into a third version finds nothing to change.
    const again = await rebuildVideoInfo({ knex: context.knex, store: context.store });
    expect(again).toMatchObject({ fromVersion: 2, toVersion: 3, changedRows: 0 });
  });

  it('repairs a row the live version got wrong and tells the listeners of that video only', async () => {
    const [broken, intact] = await appendUploads(2);
    context.startProjection();
    await context.caughtUp();
    await context.knex('video_info').where({ video_id: broken }).update({ status: 'FAILED', failure_reason: 'corrupted by hand' });

    const listener = new pg.Client({ connectionString: context.url });
    await listener.connect();
    const notified: string[] = [];
    listener.on('notification', (message) => notified.push(message.payload ?? ''));
    await listener.query(`listen ${VIDEO_INFO_CHANGED_CHANNEL}`);
    try {
      const result = await rebuildVideoInfo({ knex: context.knex, store: context.store });
      expect(result.changedRows).toBe(1);
      expect(await context.knex('video_info').where({ video_id: broken }).first('status', 'failure_reason')).toEqual({ status: 'UPLOADED', failure_reason: null });
      await eventually(() => expect(notified).toEqual([broken]));
      expect(notified).not.toContain(intact);
    } finally {
      await listener.end();
    }
  });

  it('refuses a second rebuild of the same projection while one runs', async () => {
    await appendUploads(2);
    let release!: () => void;
    const paused = new Promise<void>((resolve) => (release = resolve));
    let reachedSwitch!: () => void;
    const atSwitch = new Promise<void>((resolve) => (reachedSwitch = resolve));
    const first = rebuildVideoInfo({
      knex: context.knex,
      store: context.store,
      beforeSwitch: async () => {
        reachedSwitch();
        await paused;
      },
    });
    await atSwitch;
    await expect(rebuildVideoInfo({ knex: context.knex, store: context.store })).rejects.toBeInstanceOf(RebuildAlreadyRunning);
    release();
    await expect(first).resolves.toMatchObject({ toVersion: 2 });
  });

  it('starts the next version afresh when a rebuild died and left it half built', async () => {
    await appendUploads(3);
    context.startProjection();
    await context.caughtUp();
    const before = await served();
    await expect(
      rebuildVideoInfo({
        knex: context.knex,
        store: context.store,
        beforeSwitch: async () => {
          throw new Error('killed before the switch');
        },
      }),
    ).rejects.toThrow('killed before the switch');
    expect(await readProjectionVersions(context.knex, 'video_info')).toMatchObject({ activeVersion: 1, buildingVersion: 2 });
    await context.knex('video_info_v2').delete();
    await context.knex('video_info_v2').insert({ ...before[0], status: 'DELETED', meta_info: JSON.stringify(before[0]?.meta_info) });

    const result = await rebuildVideoInfo({ knex: context.knex, store: context.store });
    expect(result).toMatchObject({ fromVersion: 1, toVersion: 2, events: 12 });
    expect(await served()).toEqual(before);
  });

  it('keeps every row at the revision of its stream when the live projection races the switch', async () => {
    context.startProjection({ batchSize: 1 });
    const writers = Array.from({ length: 4 }, async (_, writer) => {
      for (let i = 0; i < 6; i += 1) {
        const id = randomUUID();
        const events = happyPath(id, `writer-${writer}`) as VideoEvent[];
        for (const [revision, event] of events.entries()) await appendVideoEvents(context.store, id, [event], revision - 1);
      }
    });
    const rebuilds = (async () => {
      for (let i = 0; i < 3; i += 1) await rebuildVideoInfo({ knex: context.knex, store: context.store, pageSize: 4 });
    })();
    await Promise.all([...writers, rebuilds]);
    await context.caughtUp();
    const rows = await context.knex('video_info').select('status', 'last_revision');
    expect(rows).toHaveLength(24);
    expect(rows.every((row) => row.status === 'UPLOADED' && Number(row.last_revision) === 3)).toBe(true);
    expect(await tables()).toEqual(['video_info_v4']);
  });
});
