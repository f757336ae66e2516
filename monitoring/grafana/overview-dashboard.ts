// 集群总览 / cluster overview: is every node up, are NATS and the index reachable, how busy and how
// fast is the HTTP API and the broker, and is any process short of event-loop time or memory.
import type { DashboardSpec } from './dashboard-model.ts';
import { NODE, quantile, ratio, STANDARD_VARIABLES, sumRate } from './promql.ts';

const HTTP = 'yunying_http_request_duration_seconds';
const ACTION = 'yunying_broker_action_duration_seconds';

export const OVERVIEW_DASHBOARD: DashboardSpec = {
  uid: 'yunying-overview',
  title: '云影 · 集群总览',
  description: 'Yunying cluster overview: nodes up, dependencies, HTTP and broker RED, event-loop lag and memory per node.',
  variables: STANDARD_VARIABLES,
  panels: [
    { kind: 'stat', title: '在线节点', description: 'Nodes Prometheus scraped successfully at the last scrape.', unit: 'short',
      queries: [{ expr: `sum(up{${NODE}})` }] },
    { kind: 'stat', title: '离线节点', description: 'Nodes whose last scrape failed (the YunyingNodeDown alert fires after 1 minute).', unit: 'short', thresholds: [1],
      queries: [{ expr: `count(up{${NODE}} == 0) or vector(0)` }] },
    { kind: 'stat', title: 'HTTP 5xx 比例', description: 'Share of HTTP responses with a 5xx status over all responses.', unit: 'percentunit', thresholds: [0.01, 0.05],
      queries: [{ expr: ratio('', HTTP + '_count', NODE, 'status_class="5xx"') }] },
    { kind: 'stat', title: '集群成员（API 节点视角）', description: 'Nodes the api nodes see in the broker registry, by state; unavailable nodes stopped sending heartbeats.', unit: 'short',
      queries: [{ expr: `max by (state) (yunying_cluster_nodes{${NODE}})`, legend: '{{state}}' }] },
    { kind: 'state-timeline', title: '节点状态', description: 'Scrape success per node over time (1 up, 0 down).', unit: 'none', upDown: true, width: 24,
      queries: [{ expr: `up{${NODE}}`, legend: '{{node}} ({{zone}})' }] },
    { kind: 'state-timeline', title: '依赖可用性', description: 'Whether each node reaches NATS and the index (1 up, 0 down), probed at every scrape.', unit: 'none', upDown: true, width: 24,
      queries: [{ expr: `yunying_dependency_up{${NODE}}`, legend: '{{node}} {{dependency}}' }] },
    { kind: 'timeseries', title: 'HTTP 请求速率（按状态类别）', description: 'HTTP requests per second across the selected nodes, by status class.', unit: 'reqps', stack: true,
      queries: [{ expr: sumRate('status_class', HTTP + '_count', NODE), legend: '{{status_class}}' }] },
    { kind: 'timeseries', title: 'HTTP p95 延迟（按路由）', description: '95th percentile HTTP latency per route template (never a URL, so no identifier leaks into labels).', unit: 's',
      queries: [{ expr: quantile(0.95, 'route', HTTP, NODE), legend: '{{route}}' }] },
    { kind: 'timeseries', title: '服务动作速率', description: 'Moleculer actions handled per second, by action and outcome.', unit: 'reqps',
      queries: [{ expr: sumRate('action, outcome', ACTION + '_count', NODE), legend: '{{action}} {{outcome}}' }] },
    { kind: 'timeseries', title: '服务动作 p95 延迟', description: '95th percentile latency of Moleculer actions by action.', unit: 's',
      queries: [{ expr: quantile(0.95, 'action', ACTION, NODE), legend: '{{action}}' }] },
    { kind: 'timeseries', title: '事件循环延迟 p99', description: 'Event-loop lag (p99) per node: above ~0.1 s a node answers slowly and may miss broker heartbeats.', unit: 's', thresholds: [0.1, 0.5],
      queries: [{ expr: `nodejs_eventloop_lag_p99_seconds{${NODE}}`, legend: '{{node}}' }] },
    { kind: 'timeseries', title: '常驻内存', description: 'Resident memory and used V8 heap per node.', unit: 'bytes',
      queries: [
        { expr: `process_resident_memory_bytes{${NODE}}`, legend: '{{node}} rss' },
        { expr: `sum by (node) (nodejs_heap_size_used_bytes{${NODE}})`, legend: '{{node}} heap' },
      ] },
    { kind: 'timeseries', title: 'CPU 使用', description: 'CPU seconds per second used by each node process (1 = one core).', unit: 'percentunit',
      queries: [{ expr: `rate(process_cpu_seconds_total{${NODE}}[$__rate_interval])`, legend: '{{node}}' }] },
    { kind: 'timeseries', title: '内部错误', description: 'Unexpected errors caught at a component boundary, per node and component; any non-zero value is worth a look in the logs.', unit: 'short',
      queries: [{ expr: `sum by (node, component) (increase(yunying_internal_errors_total{${NODE}}[$__rate_interval]))`, legend: '{{node}} {{component}}' }] },
  ],
};
