import { describe, it, expect, beforeEach, afterEach } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { VideoId, type Job } from '@reelay/contracts';
import pino from 'pino';
import { uniqueName } from '@reelay/testing';
import type { JobDelivery, PoisonMessage } from './jobQueue';
import { JobQueue, NatsUnavailable, connectNats, natsReady, type JobConsumer } from './natsJobQueue';

const NATS_URL = process.env.TEST_NATS_URL ?? 'nats://127.0.0.1:4222';
const logger = pino({ level: 'silent' });

function uploadJob(): Job {
  return { kind: 'upload', videoId: VideoId.parse(randomUUID()), requestEventId: randomUUID() };
}

function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve: (value: T) => void = () => {};
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(25);
  }
}

describe('JobQueue on JetStream', () => {
  let nc: NatsConnection;
  let stream: string;
  let queue: JobQueue;
  let consumer: JobConsumer | undefined;

  const messagesInStream = async () => (await (await jetstreamManager(nc)).streams.info(stream)).state.messages;

  beforeEach(async () => {
    nc = await connectNats(NATS_URL, { name: 'job-queue-test', logger });
    stream = uniqueName('JOBS_TEST');
    queue = new JobQueue(nc, { stream, logger, maxDeliver: 3, ackWaitMs: 5_000 });
    await queue.ensureStream();
  });

  afterEach(async () => {
    await consumer?.stop();
    consumer = undefined;
    await queue.deleteStream();
    await nc.close();
  });

  it('delivers a published job once, and an ack removes it from the stream', async () => {
    const job = uploadJob();
    const seen: JobDelivery[] = [];

    expect(await queue.publish(job)).toBe(false);
    consumer = await queue.consume({
      concurrency: 1,
      handle: async (delivery) => {
        seen.push(delivery);
        await delivery.ack();
      },
    });

    await until(async () => seen.length === 1 && (await messagesInStream()) === 0);
    expect(seen[0]?.job).toEqual(job);
    expect(seen[0]?.deliveryCount).toBe(1);
  });

  it('delivers the same job published twice only once', async () => {
    const job = uploadJob();
    const seen: Job[] = [];

    expect(await queue.publish(job)).toBe(false);
    expect(await queue.publish(job)).toBe(true);
    consumer = await queue.consume({
      concurrency: 2,
      handle: async (delivery) => {
        seen.push(delivery.job);
        await delivery.ack();
      },
    });

    await until(async () => seen.length === 1 && (await messagesInStream()) === 0);
    await sleep(300);
    expect(seen).toEqual([job]);
  });

  it('redelivers a nak-ed job with deliveryCount 2', async () => {
    const counts: number[] = [];
    await queue.publish(uploadJob());

    consumer = await queue.consume({
      concurrency: 1,
      handle: async (delivery) => {
        counts.push(delivery.deliveryCount);
        if (delivery.deliveryCount === 1) delivery.nak(50);
        else await delivery.ack();
      },
    });

    await until(async () => counts.length === 2 && (await messagesInStream()) === 0);
    expect(counts).toEqual([1, 2]);
  });

  it('redelivers a job whose handler threw', async () => {
    const counts: number[] = [];
    await queue.publish(uploadJob());

    consumer = await queue.consume({
      concurrency: 1,
      handle: async (delivery) => {
        counts.push(delivery.deliveryCount);
        if (delivery.deliveryCount === 1) throw new Error('transient');
        await delivery.ack();
      },
    });

    await until(async () => counts.length === 2 && (await messagesInStream()) === 0);
    expect(counts).toEqual([1, 2]);
  });

  it('terminates a job nak-ed on its last allowed delivery instead of leaving it in the stream', async () => {
    const counts: number[] = [];
    await queue.publish(uploadJob());

    consumer = await queue.consume({
      concurrency: 1,
      handle: async (delivery) => {
        counts.push(delivery.deliveryCount);
        delivery.nak(10);
      },
    });

    await until(async () => counts.length === 3 && (await messagesInStream()) === 0);
    await sleep(300);
    expect(counts).toEqual([1, 2, 3]);
  });

  it('never redelivers a job its handler terminated', async () => {
    const counts: number[] = [];
    await queue.publish(uploadJob());

    consumer = await queue.consume({
      concurrency: 1,
      handle: async (delivery) => {
        counts.push(delivery.deliveryCount);
        delivery.term('the video was deleted');
      },
    });

    await until(async () => counts.length === 1 && (await messagesInStream()) === 0);
    await sleep(300);
    expect(counts).toEqual([1]);
  });

  it('terminates an unparseable message, reports it as poison and never redelivers it', async () => {
    const poison: PoisonMessage[] = [];
    const handled: Job[] = [];
    await jetstream(nc).publish(`${stream}.jobs.upload`, '{"kind":"upload","videoId":"not-a-uuid"}');
    await jetstream(nc).publish(`${stream}.jobs.upload`, 'not json at all');

    consumer = await queue.consume({
      concurrency: 1,
      handle: async (delivery) => {
        handled.push(delivery.job);
        await delivery.ack();
      },
      onPoison: (p) => poison.push(p),
    });

    await until(async () => poison.length === 2 && (await messagesInStream()) === 0);
    await sleep(300);
    expect(poison.map((p) => p.raw)).toEqual(['{"kind":"upload","videoId":"not-a-uuid"}', 'not json at all']);
    expect(poison[1]?.error).toMatch(/invalid JSON/);
    expect(handled).toEqual([]);
  });

  it('waits in stop() for a handler that is still running', async () => {
    const started = deferred();
    const release = deferred();
    let finished = false;
    await queue.publish(uploadJob());
    consumer = await queue.consume({
      concurrency: 1,
      handle: async (delivery) => {
        started.resolve();
        await release.promise;
        await delivery.ack();
        finished = true;
      },
    });
    await started.promise;

    let stopped = false;
    const stopping = consumer.stop().then(() => (stopped = true));
    await sleep(200);
    expect(stopped).toBe(false);

    release.resolve();
    await stopping;
    expect(finished).toBe(true);
    expect(await messagesInStream()).toBe(0);
  });

  it('stops at once when idle, and a job published afterwards reaches the next consumer at once', async () => {
    const idle = await queue.consume({ concurrency: 2, handle: async (delivery) => void (await delivery.ack()) });
    await sleep(200);
    const stopStarted = Date.now();
    await idle.stop();
    expect(Date.now() - stopStarted).toBeLessThan(1_000);

    const job = uploadJob();
    await queue.publish(job);
    const received = deferred<Job>();
    const publishedAt = Date.now();
    consumer = await queue.consume({
      concurrency: 1,
      handle: async (delivery) => {
        received.resolve(delivery.job);
        await delivery.ack();
      },
    });

    expect(await received.promise).toEqual(job);
    // Well under ack_wait (5 s): a pull left over from the stopped consumer did not swallow it.
    expect(Date.now() - publishedAt).toBeLessThan(2_000);
  });

  it('handles up to `concurrency` jobs at the same time', async () => {
    let running = 0;
    let peak = 0;
    let done = 0;
    for (let i = 0; i < 6; i += 1) await queue.publish(uploadJob());

    consumer = await queue.consume({
      concurrency: 3,
      handle: async (delivery) => {
        running += 1;
        peak = Math.max(peak, running);
        await sleep(150);
        running -= 1;
        await delivery.ack();
        done += 1;
      },
    });

    await until(() => done === 6);
    expect(peak).toBe(3);
  });

  it('ensures an existing stream again, keeping the jobs it holds', async () => {
    await queue.publish(uploadJob());
    await queue.ensureStream();
    expect(await messagesInStream()).toBe(1);
  });
});

describe('natsReady', () => {
  it('resolves on a live connection and rejects once it is closed', async () => {
    const nc = await connectNats(NATS_URL, { name: 'ready-test', logger });
    await natsReady(nc);

    await nc.close();

    await expect(natsReady(nc)).rejects.toBeInstanceOf(NatsUnavailable);
  });

  it('fails fast with NatsUnavailable when nothing listens at the URL', async () => {
    await expect(connectNats('nats://127.0.0.1:1', { name: 'nobody', logger })).rejects.toBeInstanceOf(NatsUnavailable);
  });
});
