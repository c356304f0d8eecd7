import { Counter, Gauge, type Registry } from 'prom-client';
import type { Position } from '@reelay/contracts';
import type { EventStore } from '@reelay/platform';
import type { ProjectionObserver } from '../videoInfo/videoInfoProjection';
import { VIDEO_INFO_PROJECTION } from '../videoInfo/videoInfo';

/**
 * Prometheus metrics of the projection. Position and lag come from the stored checkpoint and the
 * log's head, both read at scrape time, so they are right whichever copy did the work and an idle
 * projector reports 0. Lag is counted in global-log positions (the `prepare` part: on Postgres
 * the event sequence, so roughly "events behind").
 */
export function createProjectionMetrics(
  registry: Registry,
  store: Pick<EventStore, 'headPosition'>,
  checkpoint: () => Promise<Position>,
): ProjectionObserver {
  const labels = { projection: VIDEO_INFO_PROJECTION };
  const events = new Counter({
    name: 'reelay_projection_events_total',
    help: 'Video events applied (or found already applied) by the projection',
    labelNames: ['projection'],
    registers: [registry],
  });
  const changedRows = new Counter({
    name: 'reelay_projection_rows_changed_total',
    help: 'Read-model rows written by the projection',
    labelNames: ['projection'],
    registers: [registry],
  });
  const restarts = new Counter({
    name: 'reelay_projection_restarts_total',
    help: 'Times the projection resumed from its checkpoint, by reason',
    labelNames: ['projection', 'reason'],
    registers: [registry],
  });
  new Gauge({
    name: 'reelay_projection_position',
    help: 'Global-log position (prepare) of the stored checkpoint',
    labelNames: ['projection'],
    registers: [registry],
    async collect() {
      // A scrape during an outage keeps the last value; /readyz is what reports the outage.
      const stored = await checkpoint().catch(() => undefined);
      if (stored) this.set(labels, Number(stored.prepare));
    },
  });
  new Gauge({
    name: 'reelay_projection_lag_positions',
    help: 'Global-log positions between the head of the log and the stored checkpoint',
    labelNames: ['projection'],
    registers: [registry],
    async collect() {
      const [stored, head] = await Promise.all([checkpoint(), store.headPosition()]).catch(() => []);
      if (!stored || !head) return;
      this.set(labels, Math.max(0, Number(head.prepare) - Number(stored.prepare)));
    },
  });

  return {
    batchCommitted(outcome) {
      events.inc(labels, outcome.events.length);
      changedRows.inc(labels, outcome.changedVideoIds.length);
    },
    restarted(reason) {
      restarts.inc({ ...labels, reason });
    },
  };
}
