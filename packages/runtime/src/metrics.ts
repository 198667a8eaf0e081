import { collectDefaultMetrics, Registry } from 'prom-client';

export type { Registry };

/** A registry with default process metrics (incl. event-loop lag), prefixed per service. */
export function createMetricsRegistry(service: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 20 });
  return registry;
}
