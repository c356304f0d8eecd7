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
