import type { Knex } from 'knex';
import type { Logger } from '@reelay/platform';
import type { JobQueue } from '@reelay/platform/jobs';
import { startCheckpointedSubscription, type CheckpointedSubscription, type EventStore } from '@reelay/event-store';
import { JOB_EVENT_TYPES, jobForEvent } from './jobForEvent';

export const JOB_RELAY_CHECKPOINT = 'job-relay';

/**
 * Turns the log's requests into queue jobs. The log is the outbox: a request is recorded first
 * and published from here, and the checkpoint only moves after JetStream has acknowledged the
 * publish. A crash in between publishes again, which the stream drops as a duplicate message id.
 */
export function startJobRelay(deps: { store: EventStore; knex: Knex; queue: JobQueue; logger: Logger }): CheckpointedSubscription {
  return startCheckpointedSubscription({
    name: JOB_RELAY_CHECKPOINT,
    store: deps.store,
    knex: deps.knex,
    logger: deps.logger,
    eventTypes: JOB_EVENT_TYPES,
    handle: async (events) => {
      for (const event of events) {
        const job = jobForEvent(event);
        if (!job) continue;
        const duplicate = await deps.queue.publish(job);
        deps.logger.debug({ job, duplicate }, 'job relayed');
      }
    },
  });
}
