// One prom-client registry per node (never the global one, so tests can run several nodes in one
// process). Names follow the Prometheus guide: yunying_ prefix, base units, _total on counters,
// histograms for latency, and no patient, study or UID in any label.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Context, Middleware } from 'moleculer';

/** Buckets around the objectives: 20 ms frames, 200 ms searches, seconds for bulk. */
export const LATENCY_BUCKETS = [0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30];

export interface NodeIdentity {
  readonly platform: string;
  readonly node: string;
  readonly zone: string;
  readonly roles: readonly string[];
  readonly version: string;
}

export interface NodeMetrics {
  readonly registry: Registry;
  readonly httpRequestDuration: Histogram<'method' | 'route' | 'status_class'>;
  readonly brokerActionDuration: Histogram<'action' | 'outcome'>;
  readonly dependencyUp: Gauge<'dependency'>;
  readonly clusterNodes: Gauge<'state'>;
  /** Moleculer middleware: every local action call is timed into brokerActionDuration. */
  readonly brokerMiddleware: Middleware;
  readonly errors: Counter<'component'>;
  /**
   * Sets the function that refreshes a gauge while Prometheus scrapes it, so the gauge is current even
   * when nobody polls /health or /api/cluster. A refresh that throws is counted, never fails the scrape.
   */
  refreshOnScrape(gauge: ScrapedGauge, refresh: () => Promise<unknown>): void;
}

/** Gauges whose value comes from a probe run at scrape time. */
export type ScrapedGauge = 'dependencyUp' | 'clusterNodes';

function actionMiddleware(histogram: NodeMetrics['brokerActionDuration']): Middleware {
  return {
    name: 'YunyingActionMetrics',
    localAction(next, action) {
      const name = String(action.name);
      const handler = next as unknown as (ctx: Context) => unknown;
      return (ctx: Context) => {
        const end = histogram.startTimer({ action: name });
        return Promise.resolve(handler(ctx)).then(
          (result: unknown) => { end({ outcome: 'success' }); return result; },
          (error: unknown) => { end({ outcome: 'error' }); throw error; },
        );
      };
    },
  };
}

export function createNodeMetrics(identity: NodeIdentity): NodeMetrics {
  // No default labels: Prometheus adds platform, node, zone and role from the scrape target (generated
  // from the topology), and the same labels set here would come back renamed exported_node, ...
  const registry = new Registry();
  const refreshers = new Map<ScrapedGauge, () => Promise<unknown>>();
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 20 });
  // Gauges named _total break the naming rules (promtool check metrics); each has a twin without it
  // (nodejs_active_handles, ...), which stays.
  for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']) {
    registry.removeSingleMetric(name);
  }
  new Gauge({
    name: 'yunying_node_info', help: 'Static facts about this node; the value is always 1.',
    labelNames: ['roles', 'version'], registers: [registry],
  }).set({ roles: [...identity.roles].sort().join(','), version: identity.version }, 1);
  const httpRequestDuration = new Histogram({
    name: 'yunying_http_request_duration_seconds', help: 'HTTP requests by route template, method and status class.',
    labelNames: ['method', 'route', 'status_class'], buckets: LATENCY_BUCKETS, registers: [registry],
  });
  const brokerActionDuration = new Histogram({
    name: 'yunying_broker_action_duration_seconds', help: 'Moleculer actions handled on this node, by action and outcome.',
    labelNames: ['action', 'outcome'], buckets: LATENCY_BUCKETS, registers: [registry],
  });
  const errors = new Counter({
    name: 'yunying_internal_errors_total', help: 'Unexpected errors caught at a component boundary.',
    labelNames: ['component'], registers: [registry],
  });
  // Known components start at 0, so "no errors" is a series of zeros rather than no series at all.
  for (const component of ['http', 'metrics']) errors.inc({ component }, 0);
  const refresh = (gauge: ScrapedGauge) => async () => {
    await refreshers.get(gauge)?.().catch(() => errors.inc({ component: 'metrics' }));
  };
  const dependencyUp = new Gauge({
    name: 'yunying_dependency_up', help: 'Whether a dependency (nats, index) answered the last health check (1) or not (0).',
    labelNames: ['dependency'], registers: [registry], collect: refresh('dependencyUp'),
  });
  const clusterNodes = new Gauge({
    name: 'yunying_cluster_nodes', help: 'Nodes of the platform this node sees, by state (available, unavailable).',
    labelNames: ['state'], registers: [registry], collect: refresh('clusterNodes'),
  });
  return {
    registry, httpRequestDuration, brokerActionDuration, dependencyUp, clusterNodes, errors,
    brokerMiddleware: actionMiddleware(brokerActionDuration),
    refreshOnScrape: (gauge, fn) => { refreshers.set(gauge, fn); },
  };
}
