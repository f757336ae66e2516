// DIMSE metrics (names agreed in monitoring/agreed-metrics.ts): request latency by operation and status
// class, associations by outcome. No AE title, UID or patient in any label.
import { Counter, Histogram, type Registry } from 'prom-client';
import { LATENCY_BUCKETS } from './node-metrics.ts';

export type DimseOperation = 'C-ECHO' | 'C-STORE' | 'C-FIND' | 'C-MOVE' | 'C-GET';
export type DimseStatusClass = 'success' | 'warning' | 'failure' | 'cancel';

export interface DimseMetrics {
  readonly requestDuration: Histogram<'operation' | 'status'>;
  readonly associations: Counter<'outcome'>;
}

export function createDimseMetrics(registry: Registry): DimseMetrics {
  return {
    requestDuration: new Histogram({
      name: 'yunying_dimse_request_duration_seconds', help: 'DIMSE requests served by this node, by operation and final status class.',
      labelNames: ['operation', 'status'], buckets: LATENCY_BUCKETS, registers: [registry],
    }),
    associations: new Counter({
      name: 'yunying_dimse_associations_total', help: 'Association requests by outcome (accepted, rejected).',
      labelNames: ['outcome'], registers: [registry],
    }),
  };
}
