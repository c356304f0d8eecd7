import { describe, it, expect, beforeEach, afterEach } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { START } from '@reelay/contracts';
import { inCheckpointedTransaction, loadCheckpoint } from '@reelay/event-store';
import { readWholeLog } from '@reelay/testing';
import type { Position, RecordedEvent } from '@reelay/contracts';
import { appendVideoEvents } from '../testing/appendVideoEvents';
import { createReadModelTestContext, type ReadModelTestContext } from '../testing/readModelTestContext';
import { happyPath } from '../testing/videoEventFixtures';
import { projectBatch } from './projectBatch';
import { VIDEO_INFO_PROJECTION } from './videoInfo';

describe('projectBatch', () => {
  let context: ReadModelTestContext;

  beforeEach(async () => {
    context = await createReadModelTestContext();
  });

  afterEach(async () => {
    await context.dispose();
  });

  /** One batch as the projection runs it: in a transaction that moves the checkpoint. */
  const project = (events: readonly RecordedEvent[], from: Position, to: Position) =>
    projectBatch(context, events, { transaction: (work) => inCheckpointedTransaction(context.knex, VIDEO_INFO_PROJECTION, from, to, work) });

  it('stores the rows and the checkpoint together', async () => {
    const videoId = randomUUID();
    await appendVideoEvents(context.store, videoId, happyPath(videoId, 'alice'));
    const events = await readWholeLog(context.store, happyPath(videoId, 'alice').length);
    const to = events[events.length - 1]!.position;

    const outcome = await project(events, START, to);

    expect(outcome.changedVideoIds).toEqual([videoId]);
    expect(await loadCheckpoint(context.knex, VIDEO_INFO_PROJECTION)).toEqual(to);
    expect(await context.knex('video_info').first('status')).toEqual({ status: 'UPLOADED' });
  });

  it('writes nothing when the checkpoint is not where the batch starts', async () => {
    const videoId = randomUUID();
    await appendVideoEvents(context.store, videoId, happyPath(videoId, 'alice'));
    const events = await readWholeLog(context.store, happyPath(videoId, 'alice').length);
    const to = events[events.length - 1]!.position;
    await project(events.slice(0, 1), START, events[0]!.position);

    await expect(project(events, START, to)).rejects.toMatchObject({ name: 'CheckpointMoved' });
    expect(await context.knex('video_info').first('status', 'last_revision')).toEqual({ status: 'PENDING', last_revision: 0 });
  });

  it('repairs a row from its stream when the batch skips a revision', async () => {
    const videoId = randomUUID();
    await appendVideoEvents(context.store, videoId, happyPath(videoId, 'alice'));
    const events = await readWholeLog(context.store, happyPath(videoId, 'alice').length);
    const holed = [events[0]!, events[2]!];

    const outcome = await project(holed, START, events[2]!.position);

    expect(outcome.repairedVideoIds).toEqual([videoId]);
    expect(await context.knex('video_info').first('status', 'last_revision')).toEqual({ status: 'UPLOADED', last_revision: 3 });
  });
});
