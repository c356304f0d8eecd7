import { Counter, Gauge, type Registry } from 'prom-client';
import type { Position } from '@reelay/contracts';
import { RateMeter } from '@reelay/platform';
import type { LogDiagnostics } from '@reelay/event-store';

export interface SubscriptionMetricsSources {
  /** The checkpoint's name; the metrics' `subscription` label. */
  readonly name: string;
  /** The stored checkpoint, read at scrape time (so it is right whichever copy moved it). */
  readonly checkpoint: () => Promise<Position>;
  readonly diagnostics: Pick<LogDiagnostics, 'lag'>;
}

/** Feeds the throughput metrics; call it once per handled batch. */
export interface SubscriptionThroughput {
  handled(events: number): void;
}

/**
 * How far behind the log a checkpointed subscriber (the notifier) is and how fast it goes:
 * lag in events (held-back ones included, so a stuck transaction shows as growing lag) and in
 * seconds since the oldest event it has not handled was recorded, both read at scrape time; and
 * events handled, as a counter and as events per second over the last 10 s.
 */
export function registerSubscriptionMetrics(registry: Registry, sources: SubscriptionMetricsSources): SubscriptionThroughput {
  const labels = { subscription: sources.name };
  const labelNames = ['subscription'] as const;
  let shared: { at: number; value: Promise<{ eventsBehind: number; secondsBehind: number } | undefined> } | undefined;
  // The two lag gauges are collected together: one query per scrape.
  const lag = () => {
    if (!shared || Date.now() - shared.at > 250) {
      shared = { at: Date.now(), value: sources.checkpoint().then((position) => sources.diagnostics.lag(position)).catch(() => undefined) };
    }
    return shared.value;
  };
  new Gauge({
    name: 'reelay_subscription_lag_events',
    help: 'Committed events after the stored checkpoint, held-back ones included (counted up to 10000)',
    labelNames,
    registers: [registry],
    async collect() {
      const behind = await lag();
      if (behind) this.set(labels, behind.eventsBehind);
    },
  });
  new Gauge({
    name: 'reelay_subscription_lag_seconds',
    help: 'Seconds since the oldest event after the stored checkpoint was recorded (0 when caught up)',
    labelNames,
    registers: [registry],
    async collect() {
      const behind = await lag();
      if (behind) this.set(labels, behind.secondsBehind);
    },
  });
  const total = new Counter({ name: 'reelay_subscription_events_total', help: 'Events handled by this copy', labelNames, registers: [registry] });
  const meter = new RateMeter(10);
  new Gauge({
    name: 'reelay_subscription_events_per_second',
    help: 'Events this copy handled per second, over the last 10 s',
    labelNames,
    registers: [registry],
    collect() {
      this.set(labels, meter.perSecond());
    },
  });
  return {
    handled(events) {
      total.inc(labels, events);
      meter.record(events);
    },
  };
}
