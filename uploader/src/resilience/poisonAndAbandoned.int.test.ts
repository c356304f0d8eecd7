import { describe, it, expect, beforeEach, afterEach } from '@jest/globals';
import { randomBytes, randomUUID } from 'node:crypto';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { createMetricsRegistry } from '@reelay/platform';
import { newEvent } from '@reelay/contracts';
import { eventually } from '@reelay/testing';
import { createUploaderTestKit, silentLogger, type UploaderTestKit } from '../testing/uploaderTestKit';
import { sweepAbandonedUploads } from '../uploadState/sweepAbandonedUploads';

describe('jobs that can never succeed', () => {
  let kit: UploaderTestKit;

  beforeEach(async () => {
    kit = await createUploaderTestKit();
  });
  afterEach(async () => {
    await kit.dispose();
  });

  it('terminates an unparseable message and a job for an unknown video, counts them, and never sees them again', async () => {
    const metrics = createMetricsRegistry('poison-test');
    await kit.startWorker({ metrics });
    const js = jetstream(kit.nc);
    await js.publish(`${kit.streamName}.jobs.upload`, 'not json at all');
    await js.publish(`${kit.streamName}.jobs.upload`, JSON.stringify({ kind: 'upload', videoId: 'not-a-uuid' }));
    await kit.queue.publish({ kind: 'upload', videoId: randomUUID() as never, requestEventId: randomUUID() });

    const jsm = await jetstreamManager(kit.nc);
    await eventually(async () => {
      expect((await jsm.streams.info(kit.streamName)).state.messages).toBe(0);
      const consumer = await jsm.consumers.info(kit.streamName, 'uploader');
      expect(consumer.num_ack_pending).toBe(0);
      expect(consumer.num_pending).toBe(0);
    }, 15_000);
    const poison = await metrics.getSingleMetric('reelay_poison_jobs_total')?.get();
    expect(poison?.values[0]?.value).toBe(2);
    // Nothing came back: a terminated message is gone from the work queue for good.
    const consumer = await jsm.consumers.info(kit.streamName, 'uploader');
    expect(consumer.num_redelivered).toBe(0);
    expect(consumer.delivered.consumer_seq).toBe(3);
  });
});

describe('an upload nobody works on any more', () => {
  let kit: UploaderTestKit;

  beforeEach(async () => {
    kit = await createUploaderTestKit();
  });
  afterEach(async () => {
    await kit.dispose();
  });

  /** A video LOADING since attempt 1 whose journal row was last touched `idleSeconds` ago, and no job. */
  const loadingVideo = async (idleSeconds: number) => {
    const { videoId, job } = await kit.requestUpload(randomBytes(1024));
    // Take the job off the queue unhandled, as if it had been terminated or lost with the stream.
    const jsm = await jetstreamManager(kit.nc);
    await jsm.streams.purge(kit.streamName);
    await kit.repository.decide(videoId, (state) => [
      newEvent({ type: 'UploadStarted', data: { attempt: 1, bucket: kit.s3.bucket, objectKey: `videos/${videoId}` } }, { correlationId: job.requestEventId, causationId: job.requestEventId, userId: state?.userId ?? 'alice' }),
    ]);
    await kit.journals.forVideo(videoId, 1).touch();
    await kit.knex.raw(`update uploader_uploads set updated_at = now() - make_interval(secs => ?) where video_id = ?`, [idleSeconds, videoId]);
    return videoId;
  };

  const sweep = () => sweepAbandonedUploads({ journals: kit.journals, repository: kit.repository, storage: kit.s3.storage, logger: silentLogger, abandonedAfterMs: 60_000 });

  it('is recorded as failed, retryable, with its staged copy kept, when untouched for longer than the limit', async () => {
    const videoId = await loadingVideo(3600);

    expect(await sweep()).toEqual([videoId]);

    const stream = await kit.streamOf(videoId);
    const failed = stream.find((e) => e.type === 'UploadFailed');
    expect(failed?.data).toMatchObject({ code: 'UPLOAD_ABANDONED', retryable: true, attempt: 1 });
    expect(failed?.data).toMatchObject({ reason: expect.stringMatching(/no uploader worked on attempt 1 for 3600 s/) });
    expect(await kit.journals.idleSince(0)).toEqual([]);
    const state = await kit.repository.load(videoId);
    expect(state?.status).toBe('FAILED');
    expect(await kit.staging.exists(state?.stagingRef as string)).toBe(true);
    // A second sweep (or another uploader's) records nothing more.
    expect(await sweep()).toEqual([]);
    expect((await kit.typesOf(videoId)).filter((t) => t === 'UploadFailed')).toHaveLength(1);
  });

  it('leaves an upload alone whose uploader touched it recently', async () => {
    const videoId = await loadingVideo(5);

    expect(await sweep()).toEqual([]);

    expect((await kit.repository.load(videoId))?.status).toBe('LOADING');
  });

  it('is found by the running uploader\'s own periodic sweep', async () => {
    const videoId = await loadingVideo(3600);

    await kit.startWorker({ abandonedAfterMs: 60_000, sweepIntervalMs: 100 });

    const stream = await kit.waitForType(videoId, 'UploadFailed', 15_000);
    expect(stream.find((e) => e.type === 'UploadFailed')?.data).toMatchObject({ code: 'UPLOAD_ABANDONED' });
  });
});
