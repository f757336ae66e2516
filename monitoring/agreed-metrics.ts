// The platform's metric names and their labels, as agreed between the parts that export them. Alert
// rules and dashboards query only these (tests hold them to it), and every yunying_ metric a node
// exports must be listed here. Histograms are listed by their base name (the _bucket, _sum and _count
// series follow). `node`, `zone`, `role`, `platform` and `hospital` are target labels that Prometheus
// adds from the generated scrape configuration; no metric carries them itself.

export type MetricType = 'counter' | 'gauge' | 'histogram';

export interface AgreedMetric {
  readonly type: MetricType;
  readonly labels: readonly string[];
  /** The part of the platform that exports it. */
  readonly owner: 'node' | 'archive' | 'dimse' | 'retrieval' | 'storage' | 'storage-cluster' | 'edge' | 'prom-client' | 'prometheus';
}

const m = (type: MetricType, owner: AgreedMetric['owner'], ...labels: string[]): AgreedMetric => ({ type, owner, labels });

export const AGREED_METRICS: Readonly<Record<string, AgreedMetric>> = {
  yunying_node_info: m('gauge', 'node', 'roles', 'version'),
  yunying_http_request_duration_seconds: m('histogram', 'node', 'method', 'route', 'status_class'),
  yunying_broker_action_duration_seconds: m('histogram', 'node', 'action', 'outcome'),
  yunying_dependency_up: m('gauge', 'node', 'dependency'),
  yunying_cluster_nodes: m('gauge', 'node', 'state'),
  yunying_internal_errors_total: m('counter', 'node', 'component'),

  yunying_ingest_instances_total: m('counter', 'archive', 'source', 'outcome'),
  yunying_ingest_bytes_total: m('counter', 'archive', 'source'),
  yunying_ingest_duration_seconds: m('histogram', 'archive', 'source'),
  yunying_index_query_duration_seconds: m('histogram', 'archive', 'table', 'operation'),

  yunying_dimse_request_duration_seconds: m('histogram', 'dimse', 'operation', 'status'),
  yunying_dimse_associations_total: m('counter', 'dimse', 'outcome'),

  yunying_retrieval_duration_seconds: m('histogram', 'retrieval', 'source', 'kind'),
  yunying_retrieval_bytes_total: m('counter', 'retrieval', 'source'),
  yunying_retrieval_cache_requests_total: m('counter', 'retrieval', 'result'),

  yunying_storage_capacity_bytes: m('gauge', 'storage'),
  yunying_storage_used_bytes: m('gauge', 'storage'),
  yunying_storage_objects: m('gauge', 'storage'),
  yunying_storage_fill_ratio: m('gauge', 'storage'),
  yunying_storage_operation_duration_seconds: m('histogram', 'storage', 'operation'),
  yunying_storage_bytes_total: m('counter', 'storage', 'direction'),
  yunying_storage_scrub_verified_bytes_total: m('counter', 'storage'),
  yunying_storage_scrub_corrupt_blobs_total: m('counter', 'storage'),
  yunying_storage_node_state: m('gauge', 'storage', 'state'),

  yunying_storage_under_replicated_blobs: m('gauge', 'storage-cluster'),
  yunying_storage_moves_in_flight: m('gauge', 'storage-cluster'),
  yunying_storage_repairs_total: m('counter', 'storage-cluster', 'reason'),

  yunying_edge_up: m('gauge', 'edge'),
  yunying_edge_queue_depth: m('gauge', 'edge'),
  yunying_edge_failed_items: m('gauge', 'edge'),
  yunying_edge_oldest_pending_seconds: m('gauge', 'edge'),
  yunying_edge_last_upload_timestamp_seconds: m('gauge', 'edge'),
  yunying_edge_uploaded_bytes_total: m('counter', 'edge'),
  yunying_edge_disk_used_bytes: m('gauge', 'edge'),
  yunying_edge_disk_capacity_bytes: m('gauge', 'edge'),

  // Written by Prometheus itself for every target: 1 when the last scrape succeeded.
  up: m('gauge', 'prometheus'),
  // prom-client defaults the dashboards use (collectDefaultMetrics).
  process_resident_memory_bytes: m('gauge', 'prom-client'),
  process_cpu_seconds_total: m('counter', 'prom-client'),
  nodejs_heap_size_used_bytes: m('gauge', 'prom-client'),
  nodejs_eventloop_lag_p99_seconds: m('gauge', 'prom-client'),
};

/** Labels Prometheus attaches to every Yunying series from the scrape target and job. */
export const TARGET_LABELS = ['job', 'instance', 'platform', 'node', 'zone', 'role', 'hospital'] as const;
