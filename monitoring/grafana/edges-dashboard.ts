// 医院前置机 / hospital edges: link up, upload queue depth and age, time since the last upload, link
// throughput, and what the edges send into the city's ingest.
import type { DashboardSpec, VariableSpec } from './dashboard-model.ts';
import { hasRole, nodeVariable, PLATFORM_VARIABLE, sumRate, ZONE_VARIABLE } from './promql.ts';

const EDGE = 'job="yunying", platform=~"$platform", zone=~"$zone", node=~"$node", hospital=~"$hospital"';
const HOSPITAL_VARIABLE: VariableSpec = {
  name: 'hospital', label: '医院', query: `label_values(up{job="yunying", platform=~"$platform", ${hasRole('edge')}}, hospital)`,
};

export const EDGES_DASHBOARD: DashboardSpec = {
  uid: 'yunying-edges',
  title: '云影 · 医院前置机',
  description: 'Yunying hospital edge nodes: link up, upload queue depth and oldest item, last upload, link throughput, and instances the edges ingest.',
  variables: [PLATFORM_VARIABLE, ZONE_VARIABLE, HOSPITAL_VARIABLE, nodeVariable('edge')],
  panels: [
    { kind: 'state-timeline', title: '前置机抓取状态', description: 'Whether Prometheus reaches each edge node (1 up, 0 down).', unit: 'none', upDown: true, width: 24,
      queries: [{ expr: `up{${EDGE}, ${hasRole('edge')}}`, legend: '{{node}} ({{hospital}})' }] },
    { kind: 'state-timeline', title: '前置机与市平台连接', description: 'Whether each edge exchanges heartbeats with the city platform (1 up, 0 lost); lost for 2 minutes raises YunyingEdgeHeartbeatLost.', unit: 'none', upDown: true, width: 24,
      queries: [{ expr: `yunying_edge_up{${EDGE}}`, legend: '{{node}} ({{hospital}})' }] },
    { kind: 'timeseries', title: '上传队列长度', description: 'Instances waiting in each edge upload queue.', unit: 'short',
      queries: [{ expr: `yunying_edge_queue_depth{${EDGE}}`, legend: '{{node}}' }] },
    { kind: 'timeseries', title: '拒收待处理', description: 'Objects the city refused for good, per edge; they wait for an operator (POST /api/edge/retry-failed after fixing the cause).', unit: 'short', thresholds: [1],
      queries: [{ expr: `yunying_edge_failed_items{${EDGE}}`, legend: '{{node}}' }] },
    { kind: 'timeseries', title: '最早待传项等待时间', description: 'Age of the oldest queued item per edge; with a growing queue above 30 minutes it raises YunyingEdgeBacklogGrowing.', unit: 's', thresholds: [1800],
      queries: [{ expr: `yunying_edge_oldest_pending_seconds{${EDGE}}`, legend: '{{node}}' }] },
    { kind: 'timeseries', title: '距上次上传', description: 'Seconds since each edge last completed an upload to the city.', unit: 's',
      queries: [{ expr: `time() - yunying_edge_last_upload_timestamp_seconds{${EDGE}}`, legend: '{{node}}' }] },
    { kind: 'timeseries', title: '链路上传吞吐', description: 'Bytes per second each edge uploads over its hospital link.', unit: 'Bps',
      queries: [{ expr: sumRate('node', 'yunying_edge_uploaded_bytes_total', EDGE), legend: '{{node}}' }] },
    { kind: 'timeseries', title: '前置机磁盘使用率', description: 'Share of the edge data directory\'s filesystem in use (local copies, queue, index); a full disk stops the edge accepting images.', unit: 'percentunit', min: 0, max: 1, thresholds: [0.8, 0.95],
      queries: [{ expr: `yunying_edge_disk_used_bytes{${EDGE}} / yunying_edge_disk_capacity_bytes{${EDGE}}`, legend: '{{node}}' }] },
    { kind: 'timeseries', title: '前置机入库实例', description: 'Instances per second the city ingests from edges, by outcome.', unit: 'short', width: 24,
      queries: [{ expr: sumRate('outcome', 'yunying_ingest_instances_total', 'job="yunying", platform=~"$platform"', 'source="edge"'), legend: '{{outcome}}' }] },
  ],
};
