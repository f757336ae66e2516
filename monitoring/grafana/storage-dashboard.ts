// 存储节点 / storage nodes: USE per zone and per node (capacity, fill, objects, put/get latency and
// traffic), scrub progress, and the cluster's replication state (under-replicated blobs, moves, repairs).
import type { DashboardSpec } from './dashboard-model.ts';
import { hasRole, nodeVariable, NODE, PLATFORM, PLATFORM_VARIABLE, quantile, sumRate, ZONE_VARIABLE } from './promql.ts';

const OPERATION = 'yunying_storage_operation_duration_seconds';
const STORAGE_NODES = `${NODE}, ${hasRole('storage')}`;

export const STORAGE_DASHBOARD: DashboardSpec = {
  uid: 'yunying-storage',
  title: '云影 · 存储节点',
  description: 'Yunying storage nodes per zone and node: capacity, fill, objects, put/get latency, traffic, scrub, replication and repair.',
  variables: [PLATFORM_VARIABLE, ZONE_VARIABLE, nodeVariable('storage')],
  panels: [
    { kind: 'stat', title: '存储节点在线', description: 'Storage nodes scraped successfully.', unit: 'short',
      queries: [{ expr: `sum(up{${STORAGE_NODES}})` }] },
    { kind: 'stat', title: '副本不足的对象', description: 'Blobs with fewer copies than the replication factor (reported by the node running repair). Above 0 for 10 minutes raises YunyingUnderReplicatedBlobs.', unit: 'short', thresholds: [1],
      queries: [{ expr: `sum(yunying_storage_under_replicated_blobs{${PLATFORM}})` }] },
    { kind: 'stat', title: '迁移中的副本', description: 'Replica copies under way for repair, drain or rebalance.', unit: 'short',
      queries: [{ expr: `sum(yunying_storage_moves_in_flight{${PLATFORM}})` }] },
    { kind: 'stat', title: '总占用率', description: 'Used bytes over capacity across the selected storage nodes.', unit: 'percentunit', thresholds: [0.8, 0.9], min: 0, max: 1,
      queries: [{ expr: `sum(yunying_storage_used_bytes{${NODE}}) / sum(yunying_storage_capacity_bytes{${NODE}})` }] },
    { kind: 'timeseries', title: '各数据中心容量与已用', description: 'Capacity and used bytes summed per zone (data center).', unit: 'bytes',
      queries: [
        { expr: `sum by (zone) (yunying_storage_capacity_bytes{${NODE}})`, legend: '{{zone}} capacity' },
        { expr: `sum by (zone) (yunying_storage_used_bytes{${NODE}})`, legend: '{{zone}} used' },
      ] },
    { kind: 'bargauge', title: '各节点占用率', description: 'Fill ratio per storage node; warning at 80 %, critical at 90 % (the fill alerts use the same thresholds).', unit: 'percentunit', thresholds: [0.8, 0.9], min: 0, max: 1,
      queries: [{ expr: `yunying_storage_fill_ratio{${NODE}}`, legend: '{{node}} ({{zone}})' }] },
    { kind: 'timeseries', title: '30 天后预计占用率', description: 'Fill ratio each node reaches in 30 days if it keeps growing as over the last 6 hours: plan new storage nodes before it passes 80 %.', unit: 'percentunit', thresholds: [0.8, 0.9],
      queries: [{ expr: `predict_linear(yunying_storage_used_bytes{${NODE}}[6h], 30 * 86400) / yunying_storage_capacity_bytes{${NODE}}`, legend: '{{node}}' }] },
    { kind: 'timeseries', title: '对象数', description: 'Blobs stored per node.', unit: 'short',
      queries: [{ expr: `yunying_storage_objects{${NODE}}`, legend: '{{node}}' }] },
    { kind: 'timeseries', title: '读写 p95 延迟', description: '95th percentile latency of blob puts and gets served per node.', unit: 's',
      queries: [{ expr: quantile(0.95, 'node, operation', OPERATION, NODE), legend: '{{node}} {{operation}}' }] },
    { kind: 'timeseries', title: '读写速率', description: 'Blob puts and gets per second per node.', unit: 'reqps',
      queries: [{ expr: sumRate('node, operation', `${OPERATION}_count`, NODE), legend: '{{node}} {{operation}}' }] },
    { kind: 'timeseries', title: '吞吐量', description: 'Blob bytes per second received (in) and sent (out) per node.', unit: 'Bps',
      queries: [{ expr: sumRate('node, direction', 'yunying_storage_bytes_total', NODE), legend: '{{node}} {{direction}}' }] },
    { kind: 'timeseries', title: '巡检进度', description: 'Bytes per second the scrubber re-hashes on each node; flat zero means the scrubber stopped.', unit: 'Bps',
      queries: [{ expr: sumRate('node', 'yunying_storage_scrub_verified_bytes_total', NODE), legend: '{{node}}' }] },
    { kind: 'timeseries', title: '巡检发现的损坏对象（1 小时）', description: 'Corrupt blobs the scrubber found in the last hour per node; repeated findings point at a failing disk.', unit: 'short', thresholds: [1],
      queries: [{ expr: `sum by (node) (increase(yunying_storage_scrub_corrupt_blobs_total{${NODE}}[1h]))`, legend: '{{node}}' }] },
    { kind: 'state-timeline', title: '节点运维状态', description: 'Operator state per storage node: active, draining (its blobs move away), drained (safe to remove).', unit: 'none',
      queries: [{ expr: `max by (node, state) (yunying_storage_node_state{${NODE}}) == 1`, legend: '{{node}} {{state}}' }] },
    { kind: 'timeseries', title: '修复与迁移速率', description: 'Replicas copied per second by reason: read_repair, anti_entropy, drain, rebalance.', unit: 'short', stack: true,
      queries: [{ expr: sumRate('reason', 'yunying_storage_repairs_total', PLATFORM), legend: '{{reason}}' }] },
  ],
};
