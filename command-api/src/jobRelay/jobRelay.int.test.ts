import { describe, it, expect, beforeEach, afterEach } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import type { NatsConnection } from '@nats-io/transport-node';
import { newEvent, type Job } from '@reelay/contracts';
import { createKnex } from '@reelay/platform';
import { JobQueue, connectNats, type JobConsumer } from '@reelay/platform/jobs';
import { migrateCheckpoints } from '@reelay/event-store';
import { createTestEventStore, eventually, uniqueName } from '@reelay/testing';
import type { Knex } from 'knex';
import { JOB_RELAY_CHECKPOINT, startJobRelay } from './jobRelay';

const logger = pino({ level: 'silent' });

describe('the job relay', () => {
  let events: Awaited<ReturnType<typeof createTestEventStore>>;
  let knex: Knex;
  let nc: NatsConnection;
  let queue: JobQueue;
  let consumer: JobConsumer;
  const received: Job[] = [];

  const appendRequest = async () => {
    const videoId = randomUUID();
    const event = newEvent(
      {
        type: 'UploadRequested',
        data: {
          videoId: videoId as never,
          userId: 'alice' as never,
          metaInfo: { title: 't', fileName: 'f.mp4', contentType: 'video/mp4', sizeBytes: 1, sha256: '0'.repeat(64) },
          stagingRef: 'file:///nowhere/x',
        },
      },
      { correlationId: 'c', causationId: 'c', userId: 'alice' },
    );
    await events.store.appendToStream(`video-${videoId}`, [event], { expectedRevision: 'no_stream' });
    return { videoId, eventId: event.id };
  };

  const waitForJobs = (count: number) => eventually(() => expect(received.length).toBeGreaterThanOrEqual(count), 10_000);

  beforeEach(async () => {
    received.length = 0;
    events = await createTestEventStore();
    knex = createKnex(events.url, { max: 2 });
    await migrateCheckpoints(knex);
    nc = await connectNats(process.env.TEST_NATS_URL ?? 'nats://127.0.0.1:4222', { name: 'relay-test', logger });
    queue = new JobQueue(nc, { stream: uniqueName('RELAY'), logger, maxDeliver: 3 });
    await queue.ensureStream();
    consumer = await queue.consume({
      concurrency: 4,
      handle: async (delivery) => {
        received.push(delivery.job);
        await delivery.ack();
      },
    });
  });

  afterEach(async () => {
    await consumer.stop();
    await queue.deleteStream();
    await nc.close();
    await knex.destroy();
    await events.dispose();
  });

  it('publishes a job for a request recorded while no relay was running (a crash after the append)', async () => {
    const { videoId, eventId } = await appendRequest();
    const relay = startJobRelay({ store: events.store, knex, queue, logger });
    await waitForJobs(1);
    await relay.stop();
    expect(received).toEqual([{ kind: 'upload', videoId, requestEventId: eventId }]);
  });

  it('relays a request recorded while it runs, and a deletion as a delete job', async () => {
    const relay = startJobRelay({ store: events.store, knex, queue, logger });
    const { videoId } = await appendRequest();
    await events.store.appendToStream(
      `video-${videoId}`,
      [newEvent({ type: 'VideoDeleted', data: { deletedBy: 'alice' as never } }, { correlationId: 'c', causationId: 'c', userId: 'alice' })],
      { expectedRevision: 0 },
    );
    await waitForJobs(2);
    await relay.stop();
    expect(received.map((job) => job.kind)).toEqual(['upload', 'delete']);
  });

  it('publishes nothing twice when it starts over from an old checkpoint (a crash before saving it)', async () => {
    await appendRequest();
    const first = startJobRelay({ store: events.store, knex, queue, logger });
    await waitForJobs(1);
    await first.stop();
    await knex('subscription_checkpoints').where({ name: JOB_RELAY_CHECKPOINT }).delete();

    const second = startJobRelay({ store: events.store, knex, queue, logger });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await second.stop();
    expect(received).toHaveLength(1);
  });

  it('stops cleanly right after it starts, and relays nothing once stopped', async () => {
    const relay = startJobRelay({ store: events.store, knex, queue, logger });
    await relay.stop();
    await appendRequest();
    // The relay wakes within milliseconds of an append when it runs; a second is ample to see it does not.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(received).toEqual([]);
  });
});
