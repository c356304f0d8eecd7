import { describe, it, expect, beforeEach, afterEach } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { START, type VideoEvent } from '@reelay/contracts';
import { appendVideoEvents } from '../testing/appendVideoEvents';
import { createReadModelTestContext, type ReadModelTestContext } from '../testing/readModelTestContext';
import { happyPath } from '../testing/videoEventFixtures';
import type { BatchOutcome } from './projectBatch';
import { VIDEO_INFO_CHANGED_CHANNEL, VIDEO_INFO_PROJECTION } from './videoInfo';
import { eventually } from '@reelay/testing';

describe('the video_info projection', () => {
  let context: ReadModelTestContext;

  beforeEach(async () => {
    context = await createReadModelTestContext();
  });

  afterEach(async () => {
    await context.dispose();
  });

  const rows = () => context.knex('video_info').orderBy('video_id').select('*');

  /** Every event id committed by the given outcomes, in commit order. */
  function committedEventIds(outcomes: readonly BatchOutcome[]): string[] {
    return outcomes.flatMap((outcome) => outcome.events.map((event) => event.id));
  }

  async function listen(): Promise<{ payloads: string[]; close: () => Promise<void> }> {
    const client = new pg.Client({ connectionString: context.url });
    await client.connect();
    const payloads: string[] = [];
    client.on('notification', (message) => payloads.push(message.payload ?? ''));
    await client.query(`listen ${VIDEO_INFO_CHANGED_CHANNEL}`);
    return { payloads, close: () => client.end() };
  }

  it('turns appended events into rows of their users', async () => {
    const uploaded = randomUUID();
    const pending = randomUUID();
    await appendVideoEvents(context.store, uploaded, happyPath(uploaded, 'alice'));
    await appendVideoEvents(context.store, pending, happyPath(pending, 'bob').slice(0, 1));

    context.startProjection();
    await context.caughtUp();

    const byId = new Map((await rows()).map((row) => [row.video_id, row]));
    expect(byId.get(uploaded)).toMatchObject({
      user_id: 'alice',
      status: 'UPLOADED',
      uploaded_percentage: 100,
      meta_info: expect.objectContaining({ title: 'Holiday', fileName: 'holiday.mp4', sha256: 'a'.repeat(64) }),
      last_revision: 3,
      failure_reason: null,
    });
    expect(byId.get(uploaded)?.uploaded_at).toBeInstanceOf(Date);
    expect(byId.get(pending)).toMatchObject({ user_id: 'bob', status: 'PENDING', uploaded_percentage: 0, last_revision: 0, uploaded_at: null });
  });

  it('notifies the id of each video whose row changed, once the batch is committed', async () => {
    const listener = await listen();
    try {
      const videoId = randomUUID();
      context.startProjection();
      await appendVideoEvents(context.store, videoId, happyPath(videoId, 'alice').slice(0, 2));
      await eventually(() => expect(listener.payloads).toContain(videoId));
    } finally {
      await listener.close();
    }
  });

  it('changes nothing when the whole log is replayed from START', async () => {
    for (let i = 0; i < 5; i += 1) {
      const videoId = randomUUID();
      await appendVideoEvents(context.store, videoId, happyPath(videoId, `user-${i % 2}`));
    }
    const first = context.startProjection();
    await context.caughtUp();
    await first.stop();
    const before = await rows();

    const listener = await listen();
    try {
      await context.knex('subscription_checkpoints').where({ name: VIDEO_INFO_PROJECTION }).update({ commit_position: START.commit, prepare_position: 0 });
      const replayed: BatchOutcome[] = [];
      context.startProjection({ batchSize: 3, observer: { batchCommitted: (outcome) => replayed.push(outcome) } });
      await context.caughtUp();

      expect(committedEventIds(replayed)).toHaveLength(20);
      expect(replayed.flatMap((outcome) => outcome.changedVideoIds)).toEqual([]);
      expect(await rows()).toEqual(before);
      expect(listener.payloads).toEqual([]);
    } finally {
      await listener.close();
    }
  });

  it('never applies an event twice when two copies run at once', async () => {
    const committed: BatchOutcome[] = [];
    const observer = { batchCommitted: (outcome: BatchOutcome) => committed.push(outcome) };
    context.startProjection({ batchSize: 2, observer });
    context.startProjection({ batchSize: 2, observer });

    const videoIds = Array.from({ length: 12 }, () => randomUUID());
    // One append per event, from several writers at once, so the copies see many small batches.
    await Promise.all(
      videoIds.map(async (videoId) => {
        const events = happyPath(videoId, 'alice');
        for (const [revision, event] of events.entries()) await appendVideoEvents(context.store, videoId, [event], revision - 1);
      }),
    );
    await context.caughtUp();

    const ids = committedEventIds(committed);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toHaveLength(videoIds.length * 4);
    const result = await rows();
    expect(result).toHaveLength(videoIds.length);
    expect(result.every((row) => row.status === 'UPLOADED' && Number(row.last_revision) === 3)).toBe(true);
  });

  it('continues from its checkpoint after a restart', async () => {
    const videoId = randomUUID();
    const [requested, started, progress, completed] = happyPath(videoId, 'alice') as [VideoEvent, VideoEvent, VideoEvent, VideoEvent];
    await appendVideoEvents(context.store, videoId, [requested, started]);
    const first = context.startProjection();
    await context.caughtUp();
    await first.stop();

    await appendVideoEvents(context.store, videoId, [progress, completed], 1);
    const afterRestart: BatchOutcome[] = [];
    context.startProjection({ observer: { batchCommitted: (outcome) => afterRestart.push(outcome) } });
    await context.caughtUp();

    expect(afterRestart.flatMap((outcome) => outcome.events.map((event) => event.type))).toEqual(['ProgressReported', 'UploadCompleted']);
    expect(await rows()).toEqual([expect.objectContaining({ video_id: videoId, status: 'UPLOADED', last_revision: 3 })]);
  });
});
