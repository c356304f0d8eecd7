import { nanos, type NatsConnection } from '@nats-io/transport-node';
import {
  AckPolicy,
  DeliverPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  RetentionPolicy,
  StorageType,
  jetstream,
  jetstreamManager,
  type Consumer,
  type ConsumerMessages,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
} from '@nats-io/jetstream';
import { abortableSleep, type Job, jobMessageId } from '@reelay/contracts';
import type { Logger } from '../logging/logger';
import type { ConsumeOptions, JobConsumer } from './jobQueue';
import { DependencyGate } from './dependencyGate';
import { JobQueueError, jobDelivery, parseJob, terminateMessage } from './jobDelivery';

export { JobQueueError };
export type { ConsumeOptions, JobConsumer };

export { NatsUnavailable, connectNats, natsReady } from './natsConnection';


export interface JobQueueOptions {
  /** The JetStream stream; its subjects are `<stream>.jobs.<kind>`. */
  readonly stream: string;
  readonly logger: Logger;
  /** Deliveries of one message before it is given up (terminated). */
  readonly maxDeliver: number;
  /** How long a delivery may go without ack or `working()` before the server redelivers it. */
  readonly ackWaitMs?: number;
  /** Window in which a second publish with the same message id is dropped by the server. */
  readonly duplicateWindowMs?: number;
  /**
   * Copies of the stream JetStream keeps (1 by default). 3 on a cluster of three servers: a server
   * lost costs no job, and the stream (and its consumers) keep a leader. Applied when the stream
   * is created or updated; JetStream refuses more copies than servers.
   */
  readonly replicas?: number;
}

/** How long one pull waits on the server for a message; stop() cancels a waiting pull at once. */
const FETCH_EXPIRES_MS = 10_000;
/** Redelivery delay after a handler threw or ended a delivery without ack/nak/term. */
const HANDLER_FAILURE_NAK_MS = 1_000;
/** Pause after a failed pull (NATS down, stream deleted), or while a dependency is down, before trying again. */
const FETCH_RETRY_MS = 1_000;

/**
 * The job queue on NATS JetStream: a work-queue stream (a message is gone once acked or
 * terminated) and one durable pull consumer per worker kind.
 *
 * Each free slot pulls exactly one message: jobs are long (whole uploads), and a prefetched batch
 * would sit in one process while another is idle, its ack timers running.
 *
 * A message that reaches `max_deliver` is not removed by the server, only no longer delivered
 * (an advisory is all that is published). So a nak on the last allowed delivery terms the message
 * instead, and a work-queue stream never fills up with dead jobs.
 */
export class JobQueue {
  private readonly stream: string;
  private readonly logger: Logger;
  private readonly maxDeliver: number;
  private readonly ackWaitMs: number;
  private readonly duplicateWindowMs: number;
  private readonly replicas: number;
  private readonly js: JetStreamClient;
  private manager: Promise<JetStreamManager> | undefined;

  constructor(
    private readonly nc: NatsConnection,
    options: JobQueueOptions,
  ) {
    this.stream = options.stream;
    this.logger = options.logger;
    this.maxDeliver = options.maxDeliver;
    this.ackWaitMs = options.ackWaitMs ?? 30_000;
    this.duplicateWindowMs = options.duplicateWindowMs ?? 120_000;
    this.replicas = options.replicas ?? 1;
    this.js = jetstream(nc);
  }

  /** Creates the stream, or brings an existing one's subjects and duplicate window up to date. */
  async ensureStream(): Promise<void> {
    const jsm = await this.jsm();
    const settings = { subjects: [`${this.stream}.jobs.>`], duplicate_window: nanos(this.duplicateWindowMs), num_replicas: this.replicas };
    try {
      try {
        await jsm.streams.info(this.stream);
      } catch (error) {
        if (!isApiError(error, JetStreamApiCodes.StreamNotFound)) throw error;
        // Two processes may both get here; adding an identical stream twice is accepted.
        await jsm.streams.add({ name: this.stream, retention: RetentionPolicy.Workqueue, storage: StorageType.File, ...settings });
        return;
      }
      await jsm.streams.update(this.stream, settings);
    } catch (error) {
      throw new JobQueueError(`cannot set up JetStream stream ${this.stream}`, { cause: error });
    }
  }

  /** Publishes a job; resolves to true when the server dropped it as a duplicate of an earlier one. */
  async publish(job: Job): Promise<boolean> {
    try {
      const ack = await this.js.publish(`${this.stream}.jobs.${job.kind}`, JSON.stringify(job), { msgID: jobMessageId(job) });
      return ack.duplicate;
    } catch (error) {
      throw new JobQueueError(`cannot publish ${jobMessageId(job)} to ${this.stream}`, { cause: error });
    }
  }

  /** Starts handling jobs; see ConsumeOptions. */
  async consume(options: ConsumeOptions): Promise<JobConsumer> {
    const { durable = 'uploader', concurrency } = options;
    if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError(`concurrency must be a positive integer, got ${concurrency}`);
    const consumer = await this.ensureConsumer(durable);
    const pulls = new Set<ConsumerMessages>();
    const stopping = new AbortController();
    const dependencies = new DependencyGate(options.ready, this.logger.child({ stream: this.stream }));
    const slot = async () => {
      while (!stopping.signal.aborted && !this.nc.isClosed()) {
        if (!(await dependencies.up())) {
          await abortableSleep(FETCH_RETRY_MS, stopping.signal);
          continue;
        }
        const message = await this.pullOne(consumer, pulls, stopping.signal);
        if (!message) continue;
        if (stopping.signal.aborted) {
          // A pull answered just as we stopped: hand it back now rather than after ack_wait.
          message.nak();
          break;
        }
        await this.deliver(message, options);
      }
    };
    const slots = Array.from({ length: concurrency }, () => slot());
    let finished: Promise<void> | undefined;
    return {
      stop: () => {
        finished ??= (async () => {
          stopping.abort();
          await Promise.all([...pulls].map((pull) => pull.close()));
          await Promise.all(slots);
        })();
        return finished;
      },
    };
  }

  /** Deletes the stream and everything in it (tests' cleanup); succeeds when already gone. */
  async deleteStream(): Promise<void> {
    const jsm = await this.jsm();
    try {
      await jsm.streams.delete(this.stream);
    } catch (error) {
      if (!isApiError(error, JetStreamApiCodes.StreamNotFound)) {
        throw new JobQueueError(`cannot delete JetStream stream ${this.stream}`, { cause: error });
      }
    }
  }

  private jsm(): Promise<JetStreamManager> {
    this.manager ??= jetstreamManager(this.nc).catch((error: unknown) => {
      this.manager = undefined;
      throw new JobQueueError('JetStream is not available', { cause: error });
    });
    return this.manager;
  }

  private async ensureConsumer(durable: string): Promise<Consumer> {
    const jsm = await this.jsm();
    const settings = { ack_wait: nanos(this.ackWaitMs), max_deliver: this.maxDeliver };
    try {
      try {
        await jsm.consumers.info(this.stream, durable);
        await jsm.consumers.update(this.stream, durable, settings);
      } catch (error) {
        if (!isApiError(error, JetStreamApiCodes.ConsumerNotFound)) throw error;
        await jsm.consumers.add(this.stream, {
          durable_name: durable,
          ack_policy: AckPolicy.Explicit,
          deliver_policy: DeliverPolicy.All,
          ...settings,
        });
      }
      return await this.js.consumers.get(this.stream, durable);
    } catch (error) {
      throw new JobQueueError(`cannot set up consumer ${durable} on ${this.stream}`, { cause: error });
    }
  }

  /** One message, or undefined when the pull expired, was cancelled by stop(), or failed. */
  private async pullOne(consumer: Consumer, pulls: Set<ConsumerMessages>, stopping: AbortSignal): Promise<JsMsg | undefined> {
    let pull: ConsumerMessages | undefined;
    try {
      pull = await consumer.fetch({ max_messages: 1, expires: FETCH_EXPIRES_MS });
      pulls.add(pull);
      for await (const message of pull) return message;
      return undefined;
    } catch (error) {
      if (this.nc.isClosed()) return undefined;
      this.logger.warn({ err: error, stream: this.stream }, 'pulling a job failed; retrying');
      await abortableSleep(FETCH_RETRY_MS, stopping);
      return undefined;
    } finally {
      if (pull) pulls.delete(pull);
    }
  }

  private async deliver(message: JsMsg, options: ConsumeOptions): Promise<void> {
    const raw = new TextDecoder().decode(message.data);
    const job = parseJob(raw);
    if (!job.success) {
      terminateMessage(this.nc, message, `not a job: ${job.error}`);
      this.logger.error({ stream: this.stream, seq: message.seq, raw: raw.slice(0, 1_000), error: job.error }, 'terminated a message that is no job');
      options.onPoison?.({ raw, error: job.error });
      return;
    }
    const delivery = jobDelivery(message, job.data, { nc: this.nc, maxDeliver: this.maxDeliver, logger: this.logger });
    try {
      await options.handle(delivery);
    } catch (error) {
      this.logger.error({ err: error, job: job.data, deliveryCount: delivery.deliveryCount }, 'job handler failed');
    }
    if (!delivery.settled()) {
      this.logger.warn({ job: job.data }, 'job handler ended without ack, nak or term; naking');
      delivery.nak(HANDLER_FAILURE_NAK_MS);
    }
  }
}

function isApiError(error: unknown, code: number): boolean {
  return error instanceof JetStreamApiError && error.code === code;
}
