// 入库与索引 / ingest and index: instances and bytes by source and outcome, rejection ratio, ingest
// latency, DIMSE RED and associations, and index engine latency by table and operation.
import type { DashboardSpec } from './dashboard-model.ts';
import { NODE, quantile, ratio, STANDARD_VARIABLES, sumRate } from './promql.ts';

const INSTANCES = 'yunying_ingest_instances_total';
const DIMSE = 'yunying_dimse_request_duration_seconds';

export const INGEST_DASHBOARD: DashboardSpec = {
  uid: 'yunying-ingest',
  title: '云影 · 入库与索引',
  description: 'Yunying ingest by source (STOW-RS, C-STORE, import, edge) and outcome, DIMSE requests and associations, and index engine latency.',
  variables: STANDARD_VARIABLES,
  panels: [
    { kind: 'timeseries', title: '入库速率（按来源与结果）', description: 'Instances per second by ingest source and outcome (stored, duplicate, rejected).', unit: 'short',
      queries: [{ expr: sumRate('source, outcome', INSTANCES, NODE), legend: '{{source}} {{outcome}}' }] },
    { kind: 'timeseries', title: '入库字节速率', description: 'Bytes per second received per ingest source.', unit: 'Bps',
      queries: [{ expr: sumRate('source', 'yunying_ingest_bytes_total', NODE), legend: '{{source}}' }] },
    { kind: 'timeseries', title: '拒收比例', description: 'Rejected instances over all instances per source; above 5 % for 10 minutes raises YunyingIngestErrorRatio.', unit: 'percentunit', thresholds: [0.05], min: 0,
      queries: [{ expr: ratio('source', INSTANCES, NODE, 'outcome="rejected"'), legend: '{{source}}' }] },
    { kind: 'timeseries', title: '入库 p95 延迟', description: '95th percentile time to ingest one instance (parse, store the blob at quorum, index) per source.', unit: 's',
      queries: [{ expr: quantile(0.95, 'source', 'yunying_ingest_duration_seconds', NODE), legend: '{{source}}' }] },
    { kind: 'stat', title: '近 24 小时入库实例', description: 'Instances stored (new, not duplicates) over the last 24 hours.', unit: 'short', width: 12,
      queries: [{ expr: `sum(increase(${INSTANCES}{${NODE}, outcome="stored"}[1d]))` }] },
    { kind: 'stat', title: 'DICOM 关联（每秒）', description: 'DICOM associations per second by outcome (accepted, rejected).', unit: 'short', width: 12,
      queries: [{ expr: sumRate('outcome', 'yunying_dimse_associations_total', NODE), legend: '{{outcome}}' }] },
    { kind: 'timeseries', title: 'DIMSE 请求速率', description: 'DIMSE requests per second by operation and status class.', unit: 'reqps',
      queries: [{ expr: sumRate('operation, status', `${DIMSE}_count`, NODE), legend: '{{operation}} {{status}}' }] },
    { kind: 'timeseries', title: 'DIMSE p95 延迟', description: '95th percentile DIMSE request latency by operation (C-MOVE and C-GET include sending every instance).', unit: 's',
      queries: [{ expr: quantile(0.95, 'operation', DIMSE, NODE), legend: '{{operation}}' }] },
    { kind: 'timeseries', title: '索引查询 p95 延迟', description: '95th percentile latency of index engine calls by table and operation (get, scan, write, insert_if_not_exists).', unit: 's', width: 24,
      queries: [{ expr: quantile(0.95, 'table, operation', 'yunying_index_query_duration_seconds', NODE), legend: '{{table}} {{operation}}' }] },
  ],
};
