import { Counter, type Registry } from 'prom-client';
import type { NotificationKind } from '@reelay/contracts';
import type { SkipReason } from './decideNotification';

/** What `/metrics` tells an operator about pushes. */
export interface NotifierMetrics {
  /** Pushes this copy finished: `sent` (provider accepted) or `failed` (rejected for good). */
  readonly pushes: Counter<'provider' | 'kind' | 'outcome'>;
  /** Transient send failures that were retried. */
  readonly retries: Counter<'provider'>;
  /** Terminal events that needed no push, by reason. */
  readonly skipped: Counter<'reason'>;
}

export type PushMetricOutcome = 'sent' | 'failed';

/** Registers the notifier's counters on the service's registry. */
export function createNotifierMetrics(registry: Registry): NotifierMetrics {
  return {
    pushes: new Counter({
      name: 'notifier_pushes_total',
      help: 'Pushes finished, by provider, kind and outcome (sent or failed for good)',
      labelNames: ['provider', 'kind', 'outcome'],
      registers: [registry],
    }),
    retries: new Counter({
      name: 'notifier_push_retries_total',
      help: 'Transient push failures that were retried',
      labelNames: ['provider'],
      registers: [registry],
    }),
    skipped: new Counter({
      name: 'notifier_terminal_events_skipped_total',
      help: 'Terminal events that got no push, by reason',
      labelNames: ['reason'],
      registers: [registry],
    }),
  };
}

/** Typed label helpers, so a misspelt label value does not compile. */
export function countPush(metrics: NotifierMetrics, provider: string, kind: NotificationKind, outcome: PushMetricOutcome): void {
  metrics.pushes.inc({ provider, kind, outcome });
}

export function countSkip(metrics: NotifierMetrics, reason: SkipReason): void {
  metrics.skipped.inc({ reason });
}
