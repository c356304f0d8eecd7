import { Registry, collectDefaultMetrics } from 'prom-client';

/** A Prometheus registry of the service's own, with process metrics (memory, event loop lag). */
export function createMetricsRegistry(service: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  return registry;
}
