// The provisioned dashboards, by file name under monitoring/grafana/dashboards/.
import { buildDashboard, type DashboardSpec } from './dashboard-model.ts';
import { EDGES_DASHBOARD } from './edges-dashboard.ts';
import { INGEST_DASHBOARD } from './ingest-dashboard.ts';
import { OVERVIEW_DASHBOARD } from './overview-dashboard.ts';
import { RETRIEVAL_DASHBOARD } from './retrieval-dashboard.ts';
import { STORAGE_DASHBOARD } from './storage-dashboard.ts';

export const DASHBOARD_SPECS: readonly DashboardSpec[] = [
  OVERVIEW_DASHBOARD, STORAGE_DASHBOARD, INGEST_DASHBOARD, RETRIEVAL_DASHBOARD, EDGES_DASHBOARD,
];

/** File name (e.g. yunying-overview.json) to the JSON text Grafana provisions. */
export function buildDashboards(): Map<string, string> {
  return new Map(DASHBOARD_SPECS.map((spec) => [`${spec.uid}.json`, `${JSON.stringify(buildDashboard(spec), null, 2)}\n`]));
}
