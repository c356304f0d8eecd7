import { Counter, Gauge, type Registry } from 'prom-client';
import type { Position } from '@reelay/contracts';
import { RateMeter } from '@reelay/platform';
import type { EventStore, LogDiagnostics } from '@reelay/event-store';
import type { ProjectionObserver } from '../videoInfo/videoInfoProjection';
import { VIDEO_INFO_PROJECTION } from '../videoInfo/videoInfo';
import { perScrape } from './perScrape';

export interface ProjectionMetricsSources {
  readonly store: Pick<EventStore, 'headPosition'>;
  readonly diagnostics: Pick<LogDiagnostics, 'lag'>;
  /** The stored checkpoint, read at scrape time. */
  readonly checkpoint: () => Promise<Position>;
  /** Whether this copy holds the projection's lease (is the writer) right now. */
  readonly leaseHeld: () => boolean;
  /** The active (served) version of the read model, read at scrape time. */
  readonly activeVersion?: () => Promise<number>;
}

/**
 * Prometheus metrics of the projection. Position and lag come from the stored checkpoint and the
 * log, read at scrape time, so they are right whichever copy did the work and an idle projector
 * reports 0. Lag is given three ways: in events (held-back ones included, so a stuck transaction
 * shows as lag that grows), in seconds since the oldest unprojected event was recorded, and in
 * global-log positions (the `prepare` part: on Postgres the event sequence).
 */
export function createProjectionMetrics(registry: Registry, sources: ProjectionMetricsSources): ProjectionObserver {
  const labels = { projection: VIDEO_INFO_PROJECTION };
  const labelNames = ['projection'] as const;
  const events = new Counter({ name: 'reelay_projection_events_total', help: 'Video events applied (or found already applied) by the projection', labelNames, registers: [registry] });
  const changedRows = new Counter({ name: 'reelay_projection_rows_changed_total', help: 'Read-model rows written by the projection', labelNames, registers: [registry] });
  const restarts = new Counter({
    name: 'reelay_projection_restarts_total',
    help: 'Times the projection resumed from its checkpoint, by reason',
    labelNames: ['projection', 'reason'],
    registers: [registry],
  });
  // A scrape during an outage keeps the last values; /readyz is what reports the outage.
  new Gauge({
    name: 'reelay_projection_position',
    help: 'Global-log position (prepare) of the stored checkpoint',
    labelNames,
    registers: [registry],
    async collect() {
      const stored = await sources.checkpoint().catch(() => undefined);
      if (stored) this.set(labels, Number(stored.prepare));
    },
  });
  new Gauge({
    name: 'reelay_projection_lag_positions',
    help: 'Global-log positions between the head of the log and the stored checkpoint',
    labelNames,
    registers: [registry],
    async collect() {
      const [stored, head] = await Promise.all([sources.checkpoint(), sources.store.headPosition()]).catch(() => []);
      if (!stored || !head) return;
      this.set(labels, Math.max(0, Number(head.prepare) - Number(stored.prepare)));
    },
  });
  const lag = perScrape(() => sources.checkpoint().then((stored) => sources.diagnostics.lag(stored)));
  new Gauge({
    name: 'reelay_projection_lag_events',
    help: 'Committed events after the stored checkpoint, held-back ones included (counted up to 10000)',
    labelNames,
    registers: [registry],
    async collect() {
      const behind = await lag().catch(() => undefined);
      if (behind) this.set(labels, behind.eventsBehind);
    },
  });
  new Gauge({
    name: 'reelay_projection_lag_seconds',
    help: 'Seconds since the oldest event the projection has not applied was recorded (0 when caught up)',
    labelNames,
    registers: [registry],
    async collect() {
      const behind = await lag().catch(() => undefined);
      if (behind) this.set(labels, behind.secondsBehind);
    },
  });
  new Gauge({
    name: 'reelay_projection_lease_held',
    help: '1 while this copy holds the projection lease and writes, 0 while it stands by',
    labelNames,
    registers: [registry],
    collect() {
      this.set(labels, sources.leaseHeld() ? 1 : 0);
    },
  });

  const throughput = new RateMeter(10);
  new Gauge({
    name: 'reelay_projection_events_per_second',
    help: 'Video events this copy applied per second, over the last 10 s',
    labelNames,
    registers: [registry],
    collect() {
      this.set(labels, throughput.perSecond());
    },
  });
  const activeVersion = sources.activeVersion;
  if (activeVersion) {
    new Gauge({
      name: 'reelay_projection_active_version',
      help: 'The version of the read model being served (a rebuild switches to the next)',
      labelNames,
      registers: [registry],
      async collect() {
        const version = await activeVersion().catch(() => undefined);
        if (version !== undefined) this.set(labels, version);
      },
    });
  }

  return {
    batchCommitted(outcome) {
      events.inc(labels, outcome.events.length);
      throughput.record(outcome.events.length);
      changedRows.inc(labels, outcome.changedVideoIds.length);
    },
    restarted(reason) {
      restarts.inc({ ...labels, reason });
    },
  };
}
