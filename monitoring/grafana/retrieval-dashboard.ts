// 影像调阅 / retrieval: where answers come from (cache, city replica, hospital edge, remote platform),
// how fast per source and per kind against the objectives, bytes served, and the cache hit ratio.
import type { DashboardSpec } from './dashboard-model.ts';
import { NODE, quantile, ratio, STANDARD_VARIABLES, sumRate } from './promql.ts';

const RETRIEVAL = 'yunying_retrieval_duration_seconds';
const CACHE = 'yunying_retrieval_cache_requests_total';

export const RETRIEVAL_DASHBOARD: DashboardSpec = {
  uid: 'yunying-retrieval',
  title: '云影 · 影像调阅',
  description: 'Yunying retrieval by source (cache, city, edge, remote): rate, latency against the objectives (frame p95 0.2 s, metadata 0.5 s), bytes and cache hits.',
  variables: STANDARD_VARIABLES,
  panels: [
    { kind: 'stat', title: '缓存命中率', description: 'Cache hits over cache lookups of the retrieval router.', unit: 'percentunit', min: 0, max: 1, width: 8,
      queries: [{ expr: ratio('', CACHE, NODE, 'result="hit"') }] },
    { kind: 'stat', title: '帧 p95', description: '95th percentile frame retrieval time; objective 0.2 s.', unit: 's', thresholds: [0.2], width: 8,
      queries: [{ expr: quantile(0.95, '', RETRIEVAL, NODE, 'kind="frame"') }] },
    { kind: 'stat', title: '元数据 p95', description: '95th percentile series/study metadata retrieval time; objective 0.5 s.', unit: 's', thresholds: [0.5], width: 8,
      queries: [{ expr: quantile(0.95, '', RETRIEVAL, NODE, 'kind="metadata"') }] },
    { kind: 'timeseries', title: '调阅速率（按来源）', description: 'Retrievals per second by the source that answered.', unit: 'reqps', stack: true,
      queries: [{ expr: sumRate('source', `${RETRIEVAL}_count`, NODE), legend: '{{source}}' }] },
    { kind: 'timeseries', title: '调阅 p95 延迟（按来源）', description: '95th percentile retrieval time by source; edge and remote sources cross hospital or inter-city links.', unit: 's',
      queries: [{ expr: quantile(0.95, 'source', RETRIEVAL, NODE), legend: '{{source}}' }] },
    { kind: 'timeseries', title: '调阅 p95 延迟（按类型）', description: '95th percentile retrieval time by kind (instance, frame, metadata, rendered, bulkdata); objectives: frame 0.2 s, metadata and rendered 0.5 s, instance and bulkdata 2 s.', unit: 's', thresholds: [0.2, 0.5],
      queries: [{ expr: quantile(0.95, 'kind', RETRIEVAL, NODE), legend: '{{kind}}' }] },
    { kind: 'timeseries', title: '调阅字节速率（按来源）', description: 'Bytes per second served by source.', unit: 'Bps', stack: true,
      queries: [{ expr: sumRate('source', 'yunying_retrieval_bytes_total', NODE), legend: '{{source}}' }] },
    { kind: 'timeseries', title: '缓存查询', description: 'Cache lookups per second by result (hit, miss).', unit: 'reqps', stack: true,
      queries: [{ expr: sumRate('result', CACHE, NODE), legend: '{{result}}' }] },
  ],
};
