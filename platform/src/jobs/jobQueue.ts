import type { Job } from '@reelay/contracts';

/** What one delivered job can be told; exactly one of ack, nak and term ends a delivery. */
export interface JobDelivery {
  readonly job: Job;
  /** 1 on the first delivery, 2 on the first redelivery, … */
  readonly deliveryCount: number;
  /** Done: the durable write it led to is made. */
  ack(): Promise<void>;
  /** Try again later: redeliver after `delayMs`. */
  nak(delayMs: number): void;
  /** Never redeliver: the job can never succeed. */
  term(reason: string): void;
  /** Still working on it: restarts the server's ack timer. */
  working(): void;
}

/** A message that is no job (unparseable): terminated and logged, never redelivered. */
export interface PoisonMessage {
  readonly raw: string;
  readonly error: string;
}

export interface ConsumeOptions {
  /** The durable consumer's name; every copy of one worker uses the same one (competing consumers). */
  readonly durable?: string;
  /** Jobs handled at the same time by this process. */
  readonly concurrency: number;
  /** Must end each delivery with exactly one of ack, nak and term; a throw naks it. */
  readonly handle: (delivery: JobDelivery) => Promise<void>;
  /** Told about every message that is no job (after it was terminated). */
  readonly onPoison?: (poison: PoisonMessage) => void;
  /**
   * Rejects while something every job needs is down (the event store): no job is pulled until it
   * resolves again. Without it, each delivery during an outage fails at once and counts against
   * `maxDeliver`, and an outage longer than a few backoffs would use up every waiting job's
   * deliveries and terminate it, leaving its video PENDING for good.
   */
  readonly ready?: () => Promise<unknown>;
}

/** A running consumer. */
export interface JobConsumer {
  /** Stops fetching, hands back nothing it holds, and waits for in-flight handlers to finish. */
  stop(): Promise<void>;
}
