// Retrieval metrics (names agreed for the platform): how long answers take and how many bytes leave,
// by the source that served them (city cluster now; cache, edge, remote as they arrive) and the kind of
// resource. No study, series or UID in any label.
import { Counter, Histogram, type Registry } from 'prom-client';
import { LATENCY_BUCKETS } from './node-metrics.ts';

export type RetrievalSource = 'cache' | 'city' | 'edge' | 'remote';
export type RetrievalKind = 'instance' | 'frame' | 'metadata' | 'rendered' | 'bulkdata';

export interface RetrievalMetrics {
  readonly duration: Histogram<'source' | 'kind'>;
  readonly bytes: Counter<'source'>;
  readonly cacheRequests: Counter<'result'>;
}

function existing<T>(registry: Registry, name: string): T | undefined {
  return registry.getSingleMetric(name) as T | undefined;
}

/** Registers the retrieval metrics on a node's registry (or returns them when already there). */
export function createRetrievalMetrics(registry: Registry): RetrievalMetrics {
  const duration = existing<Histogram<'source' | 'kind'>>(registry, 'yunying_retrieval_duration_seconds') ?? new Histogram({
    name: 'yunying_retrieval_duration_seconds', help: 'DICOMweb retrievals from request to last byte, by source and kind of resource.',
    labelNames: ['source', 'kind'], buckets: LATENCY_BUCKETS, registers: [registry],
  });
  const bytes = existing<Counter<'source'>>(registry, 'yunying_retrieval_bytes_total') ?? new Counter({
    name: 'yunying_retrieval_bytes_total', help: 'Bytes of image data served by retrievals, by source.',
    labelNames: ['source'], registers: [registry],
  });
  const cacheRequests = existing<Counter<'result'>>(registry, 'yunying_retrieval_cache_requests_total') ?? new Counter({
    name: 'yunying_retrieval_cache_requests_total', help: 'Lookups of the retrieval cache, by result.',
    labelNames: ['result'], registers: [registry],
  });
  return { duration, bytes, cacheRequests };
}
