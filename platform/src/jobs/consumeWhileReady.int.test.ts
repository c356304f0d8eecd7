import { describe, it, expect } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { VideoId, type Job } from '@reelay/contracts';
import pino from 'pino';
import { eventually, uniqueName } from '@reelay/testing';
import { JobQueue, connectNats } from './natsJobQueue';

const logger = pino({ level: 'silent' });

describe('a job consumer whose dependency is down', () => {
  it('takes no job, and so uses up no delivery, until its readiness check passes again', async () => {
    const nc = await connectNats(process.env.TEST_NATS_URL ?? 'nats://127.0.0.1:4222', { name: 'consume-gate-test', logger });
    const queue = new JobQueue(nc, { stream: uniqueName('GATE_TEST'), logger, maxDeliver: 2 });
    await queue.ensureStream();
    let databaseUp = false;
    const deliveries: Array<{ job: Job; count: number }> = [];
    const job: Job = { kind: 'upload', videoId: VideoId.parse(randomUUID()), requestEventId: randomUUID() };
    await queue.publish(job);
    const consumer = await queue.consume({
      concurrency: 1,
      ready: async () => {
        if (!databaseUp) throw new Error('database down');
      },
      handle: async (delivery) => {
        deliveries.push({ job: delivery.job, count: delivery.deliveryCount });
        await delivery.ack();
      },
    });
    try {
      // A negative can only be watched for a while: several rounds (a second each) with the dependency down.
      await new Promise((resolve) => setTimeout(resolve, 2_500));
      expect(deliveries).toEqual([]);

      databaseUp = true;
      await eventually(() => expect(deliveries).toEqual([{ job, count: 1 }]), 20_000);
    } finally {
      await consumer.stop();
      await queue.deleteStream();
      await nc.close();
    }
  });
});
