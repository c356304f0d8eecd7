import { Gauge, type Registry } from 'prom-client';
import type { LogDiagnostics, LogHoldback } from '@reelay/event-store';
import { perScrape } from './perScrape';

/**
 * What holds the global log back, as gauges: the events committed but not yet readable, and the
 * age and pid of the oldest open transaction that keeps them so (0 when there is none). Alert on
 * the age: `idle_in_transaction_session_timeout` ends our own forgotten sessions, not others'.
 */
export function registerLogHoldbackMetrics(registry: Registry, diagnostics: Pick<LogDiagnostics, 'holdback'>): void {
  const holdback = perScrape(() => diagnostics.holdback());
  const gauge = (name: string, help: string, value: (found: LogHoldback) => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      async collect() {
        // A scrape during an outage keeps the last value; /readyz is what reports the outage.
        const found = await holdback().catch(() => undefined);
        if (found) this.set(value(found));
      },
    });
  gauge('reelay_event_log_held_back_events', 'Committed events no reader can take yet because an older transaction is still open', (found) => found.heldBackEvents);
  gauge(
    'reelay_event_log_holding_transaction_age_seconds',
    'Age of the oldest open transaction holding committed events back from readers (0 when none)',
    (found) => found.holder?.ageSeconds ?? 0,
  );
  gauge(
    'reelay_event_log_holding_transaction_pid',
    'Server pid of the oldest open transaction holding committed events back (0 when none, or a prepared transaction)',
    (found) => found.holder?.pid ?? 0,
  );
}
