import { compare, parseSemVer, type NatsConnection } from '@nats-io/transport-node';
import type { JsMsg } from '@nats-io/jetstream';
import { Job, jobMessageId } from '@reelay/contracts';
import type { Logger } from '../logging/logger';
import type { JobDelivery } from './jobQueue';

/** A JetStream request (stream, consumer, publish, ack) failed; see `cause`. */
export class JobQueueError extends Error {
  override readonly name = 'JobQueueError';
}

/** The first nats-server version that accepts a reason with a term. */
const TERM_REASON_SINCE = parseSemVer('2.11.0');

/** What settling a delivery needs from its queue. */
export interface DeliveryContext {
  readonly nc: NatsConnection;
  /** Deliveries allowed; a nak of the last one terminates the job instead. */
  readonly maxDeliver: number;
  readonly logger: Logger;
}

/**
 * Servers before 2.11 do not understand `+TERM <reason>`: they take it for no answer at all and
 * redeliver after ack_wait. There the reason only goes to our log (every caller logs it).
 */
export function terminateMessage(nc: NatsConnection, message: JsMsg, reason: string): void {
  const version = nc.info?.version;
  const understandsReason = version !== undefined && compare(parseSemVer(version), TERM_REASON_SINCE) >= 0;
  if (understandsReason) message.term(reason);
  else message.term();
}

/** One delivery of `job`, as a handler sees it: ack, nak (terminating the last allowed), term, working. */
export function jobDelivery(message: JsMsg, job: Job, context: DeliveryContext): JobDelivery & { settled(): boolean } {
  const deliveryCount = message.info.deliveryCount;
  let settled = false;
  const settle = () => {
    settled = true;
  };
  return {
    job,
    deliveryCount,
    ack: async () => {
      settle();
      try {
        await message.ackAck();
      } catch (error) {
        throw new JobQueueError(`ack of ${jobMessageId(job)} was not confirmed`, { cause: error });
      }
    },
    nak: (delayMs) => {
      settle();
      if (deliveryCount >= context.maxDeliver) {
        context.logger.warn({ job, deliveryCount }, 'last allowed delivery failed; terminating the job');
        terminateMessage(context.nc, message, `gave up after ${deliveryCount} deliveries`);
        return;
      }
      message.nak(delayMs);
    },
    term: (reason) => {
      settle();
      context.logger.info({ job, deliveryCount, reason }, 'job terminated');
      terminateMessage(context.nc, message, reason);
    },
    working: () => message.working(),
    settled: () => settled,
  };
}

/** A message's job, or why it is none. */
export function parseJob(raw: string): { success: true; data: Job } | { success: false; error: string } {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (error) {
    return { success: false, error: `invalid JSON: ${(error as Error).message}` };
  }
  const parsed = Job.safeParse(value);
  return parsed.success ? { success: true, data: parsed.data } : { success: false, error: parsed.error.message };
}
