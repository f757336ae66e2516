// Archive metrics (agreed names, monitoring/agreed-metrics.ts): instances ingested by source and outcome,
// bytes and latency of ingest, and the latency of every index engine call by table and operation. No
// UID, patient or AE title in any label.
import { Counter, Histogram, type Registry } from 'prom-client';
import type { IndexEngine } from '../lib/index-model/index-engine.ts';
import type { IngestResult, IngestSourceKind } from '../lib/ingest/ingest-types.ts';
import { LATENCY_BUCKETS } from './node-metrics.ts';

export type IndexOperation = 'get' | 'scan' | 'write' | 'insert_if_not_exists';

/** Ingest of large objects takes seconds to minutes. */
const INGEST_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

export interface ArchiveMetrics {
  readonly ingestInstances: Counter<'source' | 'outcome'>;
  readonly ingestBytes: Counter<'source'>;
  readonly ingestDuration: Histogram<'source'>;
  readonly indexQueryDuration: Histogram<'table' | 'operation'>;
}

export function createArchiveMetrics(registry: Registry): ArchiveMetrics {
  return {
    ingestInstances: new Counter({
      name: 'yunying_ingest_instances_total', help: 'DICOM instances through the ingest path, by source and outcome (stored, duplicate, rejected).',
      labelNames: ['source', 'outcome'], registers: [registry],
    }),
    ingestBytes: new Counter({
      name: 'yunying_ingest_bytes_total', help: 'Bytes of the instances ingested (stored or duplicate), by source.',
      labelNames: ['source'], registers: [registry],
    }),
    ingestDuration: new Histogram({
      name: 'yunying_ingest_duration_seconds', help: 'Time to ingest one instance (spool, parse, blob put, index), by source.',
      labelNames: ['source'], buckets: INGEST_BUCKETS, registers: [registry],
    }),
    indexQueryDuration: new Histogram({
      name: 'yunying_index_query_duration_seconds', help: 'Index engine calls by table and operation (get, scan, write, insert_if_not_exists).',
      labelNames: ['table', 'operation'], buckets: LATENCY_BUCKETS, registers: [registry],
    }),
  };
}

/** Counts one ingest result. */
export function observeIngest(metrics: ArchiveMetrics, source: IngestSourceKind, result: IngestResult, seconds: number): void {
  metrics.ingestInstances.inc({ source, outcome: result.status });
  if (result.status !== 'rejected') metrics.ingestBytes.inc({ source }, result.size);
  metrics.ingestDuration.observe({ source }, seconds);
}

async function timed<T>(histogram: ArchiveMetrics['indexQueryDuration'], table: string, operation: IndexOperation, work: () => Promise<T>): Promise<T> {
  const end = histogram.startTimer({ table, operation });
  try {
    return await work();
  } finally {
    end();
  }
}

/** The engine with every call timed. A write touching several tables is labelled table="batch". */
export function instrumentIndexEngine(engine: IndexEngine, histogram: ArchiveMetrics['indexQueryDuration']): IndexEngine {
  return {
    kind: engine.kind,
    migrate: () => engine.migrate(),
    write: (mutations) => {
      const tables = new Set(mutations.map((m) => m.table));
      const [only] = tables;
      return timed(histogram, tables.size === 1 && only !== undefined ? only : 'batch', 'write', () => engine.write(mutations));
    },
    insertIfNotExists: (table, row, ttl) => timed(histogram, table, 'insert_if_not_exists', () => engine.insertIfNotExists(table, row, ttl)),
    get: (table, key) => timed(histogram, table, 'get', () => engine.get(table, key)),
    scan: (table, partition, options) => timed(histogram, table, 'scan', () => engine.scan(table, partition, options)),
    health: () => engine.health(),
    close: () => engine.close(),
  };
}
