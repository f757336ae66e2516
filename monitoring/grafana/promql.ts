// PromQL building blocks shared by the dashboards: the target-label selectors the template variables
// drive, and the rate and quantile shapes every panel uses. Only agreed metric names appear in queries.
import type { VariableSpec } from './dashboard-model.ts';

/** Every series of a Yunying node narrowed by the dashboard's platform, zone and node variables. */
export const NODE = 'job="yunying", platform=~"$platform", zone=~"$zone", node=~"$node"';
/** Platform-wide series (exported by one node for the whole cluster, such as repair's counts). */
export const PLATFORM = 'job="yunying", platform=~"$platform"';

/** Matches a node carrying `role` in its comma-joined role label. */
export function hasRole(role: string): string {
  return `role=~"(.*,)?${role}(,.*)?"`;
}

function selector(sel: string, extra?: string): string {
  return extra ? `{${sel}, ${extra}}` : `{${sel}}`;
}

export function rate(metric: string, sel: string, extra?: string): string {
  return `rate(${metric}${selector(sel, extra)}[$__rate_interval])`;
}

export function sumRate(by: string, metric: string, sel: string, extra?: string): string {
  return `sum${by ? ` by (${by})` : ''} (${rate(metric, sel, extra)})`;
}

/** p-quantile of a histogram (`metric` without _bucket) grouped by `by`. */
export function quantile(q: number, by: string, metric: string, sel: string, extra?: string): string {
  return `histogram_quantile(${q}, sum by (${by ? `${by}, ` : ''}le) (${rate(`${metric}_bucket`, sel, extra)}))`;
}

/**
 * The share of `part` in `whole` per group; 0 (not "no data") while `part` has no series yet, since
 * prom-client creates a labelled counter's series at its first increment.
 */
export function ratio(by: string, metric: string, sel: string, part: string): string {
  const whole = sumRate(by, metric, sel);
  return `(${sumRate(by, metric, sel, part)} or ${whole} * 0) / ${whole}`;
}

export const PLATFORM_VARIABLE: VariableSpec = { name: 'platform', label: '平台', query: 'label_values(up{job="yunying"}, platform)' };
export const ZONE_VARIABLE: VariableSpec = { name: 'zone', label: '数据中心', query: 'label_values(up{job="yunying", platform=~"$platform"}, zone)' };

export function nodeVariable(role?: string): VariableSpec {
  const extra = role ? `, ${hasRole(role)}` : '';
  return { name: 'node', label: '节点', query: `label_values(up{job="yunying", platform=~"$platform", zone=~"$zone"${extra}}, node)` };
}

export const STANDARD_VARIABLES: readonly VariableSpec[] = [PLATFORM_VARIABLE, ZONE_VARIABLE, nodeVariable()];
