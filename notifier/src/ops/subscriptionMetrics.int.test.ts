import { describe, it, expect } from '@jest/globals';
import { Registry } from 'prom-client';
import { START } from '@reelay/contracts';
import { postgresLogDiagnostics } from '@reelay/event-store';
import { createTestEventStore, eventually, expectAgeSince } from '@reelay/testing';
import { caughtUp, createNotifierTestEnvironment, recordUpload } from '../testing/notifierTestKit';
import { registerSubscriptionMetrics } from './subscriptionMetrics';

/** The value of `name{subscription="<subscription>"…}` in Prometheus text. */
function sample(text: string, name: string, subscription: string): number | undefined {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${name}{`) && candidate.includes(`subscription="${subscription}"`));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe("a subscriber's lag and throughput metrics", () => {
  it('count the events after the checkpoint and the age of the oldest, and the events handled per second', async () => {
    const events = await createTestEventStore();
    try {
      const began = Date.now();
      await recordUpload(events.store, 'completed');
      await recordUpload(events.store, 'failed');
      const registry = new Registry();
      const throughput = registerSubscriptionMetrics(registry, {
        name: 'auditor',
        checkpoint: async () => START,
        diagnostics: postgresLogDiagnostics(events.pool),
      });
      throughput.handled(25);
      const text = await registry.metrics();
      expect(sample(text, 'reelay_subscription_lag_events', 'auditor')).toBe(5);
      expectAgeSince(sample(text, 'reelay_subscription_lag_seconds', 'auditor'), began);
      expect(sample(text, 'reelay_subscription_events_total', 'auditor')).toBe(25);
      expect(sample(text, 'reelay_subscription_events_per_second', 'auditor')).toBe(2.5);
    } finally {
      await events.dispose();
    }
  });

  it("are on the notifier's /metrics, at no lag once it has caught up", async () => {
    const env = await createNotifierTestEnvironment();
    try {
      const notifier = await env.startNotifier();
      await recordUpload(env.store, 'completed');
      await caughtUp(notifier, env.store);
      await eventually(async () => {
        const text = await (await fetch(`${notifier.opsUrl}/metrics`)).text();
        expect(sample(text, 'reelay_subscription_lag_events', 'notifier')).toBe(0);
        expect(sample(text, 'reelay_subscription_lag_seconds', 'notifier')).toBe(0);
        expect(sample(text, 'reelay_subscription_events_total', 'notifier')).toBe(1);
        // One event inside the meter's ten-second window.
        expect(sample(text, 'reelay_subscription_events_per_second', 'notifier')).toBeCloseTo(0.1, 5);
      });
    } finally {
      await env.dispose();
    }
  });
});
