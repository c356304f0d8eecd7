import { describe, it, expect, beforeEach, afterEach } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { appendVideoEvents } from '../testing/appendVideoEvents';
import { createReadModelTestContext, type ReadModelTestContext } from '../testing/readModelTestContext';
import { happyPath, sampleMetaInfo } from '../testing/videoEventFixtures';
import { verifyVideoInfo } from './verifyVideoInfo';

describe('verifying video_info against a replay of the log', () => {
  let context: ReadModelTestContext;
  beforeEach(async () => {
    context = await createReadModelTestContext();
  });
  afterEach(async () => {
    await context.dispose();
  });

  const appendUploads = async (count: number, user = 'alice') => {
    const ids = Array.from({ length: count }, () => randomUUID());
    for (const id of ids) await appendVideoEvents(context.store, id, happyPath(id, user));
    return ids;
  };
  const leftovers = async () => context.knex('pg_tables').where('tablename', 'like', 'video_info_verify_%').pluck('tablename');

  it('finds no difference while events keep being appended and projected', async () => {
    await appendUploads(5);
    context.startProjection({ batchSize: 2 });
    await context.caughtUp();
    let appending = true;
    const writer = (async () => {
      while (appending) await appendUploads(1, 'bob');
    })();
    try {
      const result = await verifyVideoInfo({ knex: context.knex, store: context.store, pageSize: 3 });
      expect(result.differences).toEqual([]);
      expect(result.rowsCompared).toBeGreaterThanOrEqual(5);
      expect(result.eventsReplayed).toBeGreaterThanOrEqual(20);
      expect(result.eventsPerSecond).toBeGreaterThan(0);
    } finally {
      appending = false;
      await writer;
    }
    expect(await leftovers()).toEqual([]);
  });

  it('reports each differing column, a missing row and an extra row, with both values', async () => {
    const [changed, missing] = await appendUploads(3);
    context.startProjection();
    await context.caughtUp();
    await context.knex('video_info').where({ video_id: changed }).update({ status: 'FAILED', uploaded_percentage: 40 });
    await context.knex('video_info').where({ video_id: missing }).delete();
    const extra = randomUUID();
    await context.knex('video_info').insert({
      video_id: extra,
      user_id: 'mallory',
      status: 'UPLOADED',
      uploaded_percentage: 100,
      meta_info: JSON.stringify(sampleMetaInfo),
      requested_at: new Date(),
      last_revision: 3,
    });

    const result = await verifyVideoInfo({ knex: context.knex, store: context.store });

    expect(result.rowsCompared).toBe(4);
    expect(result.differences).toEqual(
      expect.arrayContaining([
        { videoId: changed, column: 'status', live: 'FAILED', replayed: 'UPLOADED' },
        { videoId: changed, column: 'uploaded_percentage', live: 40, replayed: 100 },
        { videoId: missing, column: '(row)', live: 'missing', replayed: 'present' },
        { videoId: extra, column: '(row)', live: 'present', replayed: 'missing' },
      ]),
    );
    expect(result.differences).toHaveLength(4);
    expect(await leftovers()).toEqual([]);
  });
});
