// Prometheus configuration derived from topologies: one file-based service discovery target per node
// (its HTTP port, where /metrics is), labelled with what the dashboards and rules group by, and a
// prometheus.yml that reads those target files and the alert rules. Pure functions: the CLI
// (scripts/gen-prometheus-config.ts) writes the files.
import type { NodeSpec, Topology } from '../topology/topology-types.ts';

/** The job label of every Yunying target; rules and dashboards select `job="yunying"`. */
export const JOB = 'yunying';

/** Target labels. `role` joins the node's roles sorted with commas; match one with `role=~"(.*,)?storage(,.*)?"`. */
export interface TargetLabels {
  readonly platform: string;
  readonly node: string;
  readonly zone: string;
  readonly role: string;
  /** Edge nodes only: the hospital they serve (an institution code, never patient data). */
  readonly hospital?: string;
}

/** One entry of a file_sd target file (https://prometheus.io/docs/prometheus/latest/configuration/configuration/#file_sd_config). */
export interface FileSdGroup {
  readonly targets: readonly string[];
  readonly labels: TargetLabels;
}

/** Loopback nodes answer /metrics without a token; any other node requires the admin token. */
export type TargetAccess = 'loopback' | 'token';

export interface TargetFile {
  /** Path relative to the output directory. */
  readonly path: string;
  readonly access: TargetAccess;
  readonly groups: readonly FileSdGroup[];
}

export interface PrometheusOptions {
  readonly scrapeInterval: string;
  readonly evaluationInterval: string;
  /** The file holding the admin token, relative to prometheus.yml or absolute. */
  readonly tokenFile: string;
  /** host:port of Alertmanager instances; none: alerts show in Prometheus only. */
  readonly alertmanagers: readonly string[];
}

export class PrometheusConfigError extends Error {
  override readonly name = 'PrometheusConfigError';
}

const LOOPBACK = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|::1|localhost)$/;
const WILDCARD = new Set(['0.0.0.0', '::', '[::]']);
const DURATION = /^(\d+)(ms|s|m|h)$/;
const DEFAULT_SCRAPE_TIMEOUT_SECONDS = 10;

function address(node: NodeSpec, platform: string): string {
  const { host, port } = node.http;
  if (WILDCARD.has(host)) {
    throw new PrometheusConfigError(
      `${platform}: node ${node.id} listens on ${host}, which Prometheus cannot dial: give nodes[].http.host the node's own address`,
    );
  }
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

function targetLabels(topology: Topology, node: NodeSpec): TargetLabels {
  return {
    platform: topology.platform.id, node: node.id, zone: node.zone, role: [...node.roles].sort().join(','),
    ...(node.hospital ? { hospital: node.hospital } : {}),
  };
}

/** One target file per platform and access kind, sorted by node id so regenerating yields the same bytes. */
export function buildTargetFiles(topologies: readonly Topology[]): TargetFile[] {
  const seen = new Set<string>();
  const files: TargetFile[] = [];
  for (const topology of topologies) {
    const platform = topology.platform.id;
    if (seen.has(platform)) throw new PrometheusConfigError(`platform ${platform} is given twice`);
    seen.add(platform);
    const nodes = [...topology.nodes].sort((a, b) => a.id.localeCompare(b.id));
    for (const access of ['loopback', 'token'] as const) {
      const chosen = nodes.filter((n) => (LOOPBACK.test(n.http.host) ? 'loopback' : 'token') === access);
      if (chosen.length === 0) continue;
      files.push({
        path: `targets/${access}/${platform}.json`, access,
        groups: chosen.map((n) => ({ targets: [address(n, platform)], labels: targetLabels(topology, n) })),
      });
    }
  }
  return files;
}

function durationSeconds(value: string, option: string): number {
  const match = DURATION.exec(value);
  if (!match) throw new PrometheusConfigError(`${option}: "${value}" is not a duration such as 15s, 500ms or 1m`);
  const unit = { ms: 0.001, s: 1, m: 60, h: 3600 }[match[2] as 'ms' | 's' | 'm' | 'h'];
  const seconds = Number(match[1]) * unit;
  if (seconds <= 0) throw new PrometheusConfigError(`${option}: must be above zero`);
  return seconds;
}

function scrapeJob(access: TargetAccess, tokenFile: string): Record<string, unknown> {
  return {
    job_name: `${JOB}-${access}`,
    metrics_path: '/metrics',
    file_sd_configs: [{ files: [`targets/${access}/*.json`], refresh_interval: '1m' }],
    ...(access === 'token' ? { authorization: { type: 'Bearer', credentials_file: tokenFile } } : {}),
    // Both jobs present themselves as one, so queries never care how a node is reached.
    relabel_configs: [{ target_label: 'job', replacement: JOB }],
  };
}

/** The prometheus.yml document (as a plain object, for the YAML writer). */
export function buildPrometheusConfig(files: readonly TargetFile[], options: PrometheusOptions): Record<string, unknown> {
  const interval = durationSeconds(options.scrapeInterval, '--scrape-interval');
  durationSeconds(options.evaluationInterval, '--evaluation-interval');
  const timeout = Math.min(interval, DEFAULT_SCRAPE_TIMEOUT_SECONDS);
  const accesses = [...new Set(files.map((f) => f.access))].sort();
  return {
    global: {
      scrape_interval: options.scrapeInterval,
      scrape_timeout: timeout < 1 ? `${Math.round(timeout * 1000)}ms` : `${timeout}s`,
      evaluation_interval: options.evaluationInterval,
    },
    rule_files: ['rules/*.yml'],
    ...(options.alertmanagers.length > 0
      ? { alerting: { alertmanagers: [{ static_configs: [{ targets: [...options.alertmanagers] }] }] } }
      : {}),
    scrape_configs: accesses.map((access) => scrapeJob(access, options.tokenFile)),
  };
}
