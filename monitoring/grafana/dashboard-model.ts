// A small builder for Grafana dashboard JSON (schema version 39), so the five dashboards share one
// layout, one set of template variables and one datasource variable. Titles are Chinese (operators
// read them), descriptions English. scripts/gen-dashboards.ts writes the JSON that Grafana provisions.

export type PanelKind = 'timeseries' | 'stat' | 'bargauge' | 'state-timeline' | 'table';

export interface QuerySpec {
  readonly expr: string;
  /** Grafana legend template, e.g. '{{node}}'. */
  readonly legend?: string;
}

export interface PanelSpec {
  readonly kind: PanelKind;
  /** Chinese. */
  readonly title: string;
  /** English: what it shows and what a bad value means. */
  readonly description: string;
  /** Grafana unit id: s, bytes, Bps, percentunit, reqps, short, none. */
  readonly unit: string;
  readonly queries: readonly QuerySpec[];
  /** Ascending values where the colour turns orange, then red. */
  readonly thresholds?: readonly number[];
  readonly min?: number;
  readonly max?: number;
  /** Grid columns out of 24; defaults: 6 for stat, 12 otherwise. */
  readonly width?: number;
  readonly stack?: boolean;
  /** 0/1 series (up, dependency up, edge link): shown as 离线 (red) / 在线 (green). */
  readonly upDown?: boolean;
}

export interface VariableSpec {
  readonly name: string;
  /** Chinese label. */
  readonly label: string;
  /** label_values(...) query over up{job="yunying"}, narrowed by the variables before it. */
  readonly query: string;
}

export interface DashboardSpec {
  readonly uid: string;
  readonly title: string;
  readonly description: string;
  readonly variables: readonly VariableSpec[];
  readonly panels: readonly PanelSpec[];
}

export const DATASOURCE = { type: 'prometheus', uid: '${datasource}' } as const;
const COLORS = ['green', 'orange', 'red'];
const UP_DOWN = {
  type: 'value',
  options: { 0: { text: '离线 / down', color: 'red', index: 0 }, 1: { text: '在线 / up', color: 'green', index: 1 } },
};

function thresholdSteps(values: readonly number[] | undefined): { color: string; value: number | null }[] {
  return [{ color: COLORS[0] ?? 'green', value: null }, ...(values ?? []).map((value, i) => ({ color: COLORS[i + 1] ?? 'red', value }))];
}

function fieldConfig(panel: PanelSpec): Record<string, unknown> {
  return {
    defaults: {
      unit: panel.unit,
      ...(panel.min !== undefined ? { min: panel.min } : {}),
      ...(panel.max !== undefined ? { max: panel.max } : {}),
      thresholds: { mode: 'absolute', steps: thresholdSteps(panel.thresholds) },
      ...(panel.upDown ? { mappings: [UP_DOWN], color: { mode: 'thresholds' } } : {}),
      ...(panel.kind === 'timeseries'
        ? { custom: { drawStyle: 'line', lineWidth: 1, fillOpacity: panel.stack ? 30 : 10, stacking: { mode: panel.stack ? 'normal' : 'none' }, ...(panel.thresholds ? { thresholdsStyle: { mode: 'line' } } : {}) } }
        : {}),
    },
    overrides: [],
  };
}

function options(kind: PanelKind): Record<string, unknown> {
  switch (kind) {
    case 'timeseries': return { legend: { displayMode: 'table', placement: 'bottom', calcs: ['lastNotNull', 'max'] }, tooltip: { mode: 'multi', sort: 'desc' } };
    case 'stat': return { reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false }, colorMode: 'background', graphMode: 'area', textMode: 'auto' };
    case 'bargauge': return { reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false }, displayMode: 'gradient', orientation: 'horizontal', showUnfilled: true };
    case 'state-timeline': return { showValue: 'never', mergeValues: true, rowHeight: 0.8 };
    case 'table': return { showHeader: true };
  }
}

/** Lays panels out left to right, wrapping at 24 columns. */
function layout(panels: readonly PanelSpec[]): Record<string, unknown>[] {
  let x = 0;
  let y = 0;
  let rowHeight = 0;
  return panels.map((panel, index) => {
    const w = panel.width ?? (panel.kind === 'stat' ? 6 : 12);
    const h = panel.kind === 'stat' ? 4 : 8;
    if (x + w > 24) { x = 0; y += rowHeight; rowHeight = 0; }
    const gridPos = { h, w, x, y };
    x += w;
    rowHeight = Math.max(rowHeight, h);
    return {
      id: index + 1, type: panel.kind, title: panel.title, description: panel.description, datasource: DATASOURCE, gridPos,
      targets: panel.queries.map((q, i) => ({
        refId: String.fromCharCode(65 + i), datasource: DATASOURCE, expr: q.expr, range: true, instant: false,
        ...(q.legend ? { legendFormat: q.legend } : {}),
      })),
      fieldConfig: fieldConfig(panel), options: options(panel.kind),
    };
  });
}

function variable(spec: VariableSpec): Record<string, unknown> {
  return {
    name: spec.name, label: spec.label, type: 'query', datasource: DATASOURCE,
    query: { query: spec.query, refId: `${spec.name}-values` }, definition: spec.query,
    refresh: 2, sort: 1, multi: true, includeAll: true, allValue: '.*',
    current: { selected: true, text: ['All'], value: ['$__all'] },
  };
}

const DATASOURCE_VARIABLE = {
  name: 'datasource', label: '数据源', type: 'datasource', query: 'prometheus', refresh: 1, hide: 0,
  current: { selected: false, text: 'Prometheus (Yunying)', value: 'yunying-prometheus' },
};

export function buildDashboard(spec: DashboardSpec): Record<string, unknown> {
  return {
    uid: spec.uid, title: spec.title, description: spec.description, tags: ['yunying'],
    timezone: 'browser', schemaVersion: 39, version: 1, editable: true, graphTooltip: 1, refresh: '30s',
    time: { from: 'now-6h', to: 'now' },
    annotations: { list: [] },
    links: [{ type: 'dashboards', tags: ['yunying'], title: '云影仪表盘', asDropdown: true, includeVars: true, keepTime: true }],
    templating: { list: [DATASOURCE_VARIABLE, ...spec.variables.map(variable)] },
    panels: layout(spec.panels),
  };
}

/** Every PromQL expression of a built dashboard (for tests and for Prometheus checks). */
export function dashboardQueries(dashboard: unknown): { panel: string; expr: string }[] {
  const panels = (dashboard as { panels?: { title: string; targets?: { expr: string }[] }[] }).panels ?? [];
  return panels.flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title, expr: t.expr })));
}
