// Pulls metric names and label names out of PromQL text, so tests can hold rules and dashboards to the
// agreed names. It knows the shapes our queries use (metric{matchers}, by (labels)); it is no parser.
import { AGREED_METRICS, TARGET_LABELS } from '../../monitoring/agreed-metrics.ts';

const METRIC = /\b([a-zA-Z_:][a-zA-Z0-9_:]*)\s*\{/g;
const MATCHER = /([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!~|!=|=)\s*"/g;
const GROUPING = /\b(?:by|without|on|ignoring)\s*\(([^)]*)\)/g;

/** The agreed base name of a series name (histogram series map to their histogram). */
export function baseMetric(name: string): string | undefined {
  if (AGREED_METRICS[name]) return name;
  const base = name.replace(/_(bucket|count|sum)$/, '');
  return AGREED_METRICS[base]?.type === 'histogram' ? base : undefined;
}

export interface NameProblems {
  readonly unknownMetrics: string[];
  readonly unknownLabels: string[];
}

/** Metrics and labels in `expr` that are not agreed (empty lists when the query is clean). */
export function checkNames(expr: string): NameProblems {
  const metrics = [...expr.matchAll(METRIC)].map((m) => m[1] ?? '');
  const known = metrics.map(baseMetric).filter((m): m is string => m !== undefined);
  const allowed = new Set<string>([...TARGET_LABELS, 'le', '__name__', ...known.flatMap((m) => AGREED_METRICS[m]?.labels ?? [])]);
  const labels = [
    ...[...expr.matchAll(MATCHER)].map((m) => m[1] ?? ''),
    ...[...expr.matchAll(GROUPING)].flatMap((m) => (m[1] ?? '').split(',').map((l) => l.trim()).filter(Boolean)),
  ];
  return {
    unknownMetrics: metrics.filter((m) => baseMetric(m) === undefined),
    unknownLabels: [...new Set(labels.filter((l) => !allowed.has(l)))],
  };
}

export function metricsIn(expr: string): string[] {
  return [...new Set([...expr.matchAll(METRIC)].map((m) => m[1] ?? ''))];
}
