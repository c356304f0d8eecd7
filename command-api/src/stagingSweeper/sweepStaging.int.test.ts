import { describe, it, expect, beforeEach, afterEach } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import pino from 'pino';
import { newEvent, UserId, VideoId, videoStreamName, videoStreamModel, type VideoEvent, type VideoState } from '@reelay/contracts';
import { FileStagingStore, type StagedFile } from '@reelay/platform';
import { createTestEventStore, eventually } from '@reelay/testing';
import { CommandHandler } from '@reelay/event-store';
import { stagingNameFor } from '../requestUpload/stagingName';
import { startStagingSweeper } from './startStagingSweeper';
import { sweepStaging } from './sweepStaging';

const GRACE_MS = 60_000;
const metadata = { correlationId: 'c', causationId: 'c', userId: 'alice' };
const requested = (videoId: VideoId, staged: StagedFile): VideoEvent => ({
  type: 'UploadRequested',
  data: {
    videoId,
    userId: UserId.parse('alice'),
    metaInfo: { title: 't', fileName: 'f.mp4', contentType: 'video/mp4', sizeBytes: staged.sizeBytes, sha256: staged.sha256 },
    stagingRef: staged.ref,
  },
});
const started: VideoEvent = { type: 'UploadStarted', data: { attempt: 1, bucket: 'b', objectKey: 'k' } };
const completed: VideoEvent = { type: 'UploadCompleted', data: { attempt: 1, bucket: 'b', objectKey: 'k', etag: 'e', sizeBytes: 5, durationMs: 1 } };
const failed: VideoEvent = { type: 'UploadFailed', data: { reason: 'r', code: 'C', attempt: 1, retryable: false } };
const deleted: VideoEvent = { type: 'VideoDeleted', data: { deletedBy: UserId.parse('alice') } };

describe('the staging sweeper', () => {
  let events: Awaited<ReturnType<typeof createTestEventStore>>;
  let directory: string;
  let staging: FileStagingStore;
  let repository: CommandHandler<VideoState | undefined>;
  const logger = pino({ level: 'silent' });

  beforeEach(async () => {
    events = await createTestEventStore();
    directory = await mkdtemp(path.join(os.tmpdir(), 'reelay-sweep-'));
    staging = new FileStagingStore(directory);
    repository = new CommandHandler(events.store, videoStreamModel);
  });
  afterEach(async () => {
    await events.dispose();
    await rm(directory, { recursive: true, force: true });
  });

  /** A staged file as an upload leaves it, written `ageMs` ago, with these events in its stream. */
  async function staged(ageMs: number, history: VideoEvent[] | 'none' = [], name?: string): Promise<string> {
    const videoId = VideoId.parse(randomUUID());
    const file = await staging.write(name ?? stagingNameFor(videoId), Readable.from([Buffer.from('video')]), { maxBytes: 100 });
    if (history !== 'none') {
      const stream = [requested(videoId, file), ...history].map((event) => newEvent(event, metadata));
      await events.store.appendToStream(videoStreamName(videoId), stream, { expectedRevision: 'no_stream' });
    }
    const then = new Date(Date.now() - ageMs);
    await utimes(file.ref.slice('file://'.length), then, then);
    return file.ref;
  }

  const sweep = () => sweepStaging({ staging, repository, graceMs: GRACE_MS, logger });

  it('removes old files no event refers to and keeps the ones an upload still needs', async () => {
    const pending = await staged(2 * GRACE_MS);
    const loading = await staged(2 * GRACE_MS, [started]);
    const failedKeptForRetry = await staged(2 * GRACE_MS, [started, failed]);
    const orphan = await staged(2 * GRACE_MS, 'none');
    const stored = await staged(2 * GRACE_MS, [started, completed]);
    const gone = await staged(2 * GRACE_MS, [deleted]);
    const stranger = await staged(2 * GRACE_MS, 'none', 'not-a-video-name');

    const report = await sweep();

    expect([...report.removed].sort()).toEqual([orphan, stored, gone, stranger].sort());
    expect((await staging.list()).sort()).toEqual([pending, loading, failedKeptForRetry].sort());
    expect(report).toMatchObject({ examined: 7, undecided: 0 });
  });

  it('never touches a file younger than the grace period: its UploadRequested may be on its way', async () => {
    const justStaged = await staged(1_000, 'none');

    expect((await sweep()).removed).toEqual([]);
    expect(await staging.list()).toEqual([justStaged]);
  });

  it('keeps a file once its UploadRequested has been appended, however old it gets', async () => {
    const videoId = VideoId.parse(randomUUID());
    const file = await staging.write(stagingNameFor(videoId), Readable.from([Buffer.from('video')]), { maxBytes: 100 });
    expect((await sweep()).removed).toEqual([]);
    await events.store.appendToStream(videoStreamName(videoId), [newEvent(requested(videoId, file), metadata)], { expectedRevision: 'no_stream' });

    const muchLater = Date.now() + 10 * GRACE_MS;
    expect((await sweepStaging({ staging, repository, graceMs: GRACE_MS, logger }, muchLater)).removed).toEqual([]);
    expect(await staging.list()).toEqual([file.ref]);
  });

  it('keeps a file whose stream cannot be read, and says so', async () => {
    const videoId = VideoId.parse(randomUUID());
    const file = await staging.write(stagingNameFor(videoId), Readable.from([Buffer.from('video')]), { maxBytes: 100 });
    await events.store.appendToStream(videoStreamName(videoId), [{ id: randomUUID(), type: 'SomethingUnknown', data: {}, metadata }], {
      expectedRevision: 'no_stream',
    });

    const report = await sweepStaging({ staging, repository, graceMs: GRACE_MS, logger }, Date.now() + 2 * GRACE_MS);

    expect(report).toMatchObject({ removed: [], undecided: 1 });
    expect(await staging.list()).toEqual([file.ref]);
  });

  it('removes temporary files of writers that died, once they are older than the grace period', async () => {
    await writeFile(path.join(directory, '.dead.abc.partial'), 'half');
    await writeFile(path.join(directory, '.alive.def.partial'), 'half');
    const then = new Date(Date.now() - 2 * GRACE_MS);
    await utimes(path.join(directory, '.dead.abc.partial'), then, then);

    expect((await sweep()).partialsRemoved).toBe(1);
    expect(await readdir(directory)).toEqual(['.alive.def.partial']);
  });

  it('runs at start and then periodically until stopped', async () => {
    const sweeper = startStagingSweeper({ staging, repository, graceMs: GRACE_MS, logger, intervalMs: 50 });
    try {
      const orphan = await staged(2 * GRACE_MS, 'none');
      await eventually(async () => expect(await staging.list()).not.toContain(orphan));
      expect((await sweeper.runNow()).removed).toEqual([]);
    } finally {
      await sweeper.stop();
    }
  });
});
