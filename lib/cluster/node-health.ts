// What a node says about itself (`node.health`), and how the api node merges those answers with
// the broker's registry into the cluster view of GET /api/cluster.

export type DependencyState = 'up' | 'down' | 'not-used';

export interface DependencyStatus {
  readonly name: 'nats' | 'index' | 'storage-disk';
  readonly state: DependencyState;
  /** Engine or server version where known (e.g. "cassandra 5.0.9"). */
  readonly detail?: string;
  readonly latencySeconds?: number;
}

export interface StorageDisk {
  readonly path: string;
  readonly capacityBytes: number;
  readonly freeBytes: number;
}

export interface NodeHealth {
  readonly nodeId: string;
  readonly roles: readonly string[];
  readonly zone: string;
  readonly hospital?: string;
  readonly version: string;
  readonly uptimeSeconds: number;
  /** `ok` when every dependency in use is up. */
  readonly status: 'ok' | 'degraded';
  readonly dependencies: readonly DependencyStatus[];
  readonly storage?: StorageDisk;
}

export function healthStatus(dependencies: readonly DependencyStatus[]): NodeHealth['status'] {
  return dependencies.some((d) => d.state === 'down') ? 'degraded' : 'ok';
}

/** A node as the broker's registry knows it; metadata comes from the wire, so it is unknown. */
export interface RegistryEntry {
  readonly id: string;
  readonly available: boolean;
  readonly local: boolean;
  readonly metadata: unknown;
  /** Milliseconds since the epoch of the last heartbeat (the local node: now). */
  readonly lastHeartbeatTime?: number;
}

export interface ClusterNode {
  readonly id: string;
  readonly roles: readonly string[];
  readonly zone: string;
  readonly hospital?: string;
  readonly version?: string;
  readonly local: boolean;
  readonly health?: NodeHealth;
  /** Why the node did not answer its health call, if it did not. */
  readonly healthError?: string;
}

export interface ClusterView {
  readonly platform: string;
  readonly nodes: readonly ClusterNode[];
  /** Nodes the registry has lost (heartbeat timed out or disconnected) and not yet forgotten. */
  readonly offline: readonly { readonly id: string; readonly zone: string; readonly lastSeen?: string }[];
}

interface Metadata {
  readonly roles: readonly string[];
  readonly zone: string;
  readonly hospital?: string;
  readonly version?: string;
}

function readMetadata(value: unknown): Metadata {
  const m = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  const roles = Array.isArray(m.roles) ? m.roles.filter((r): r is string => typeof r === 'string') : [];
  return {
    roles,
    zone: typeof m.zone === 'string' ? m.zone : 'unknown',
    ...(typeof m.hospital === 'string' ? { hospital: m.hospital } : {}),
    ...(typeof m.version === 'string' ? { version: m.version } : {}),
  };
}

export type HealthAnswer = { readonly ok: true; readonly health: NodeHealth } | { readonly ok: false; readonly error: string };

export function summarizeCluster(
  platform: string,
  entries: readonly RegistryEntry[],
  answers: ReadonlyMap<string, HealthAnswer>,
): ClusterView {
  const byId = (a: { id: string }, b: { id: string }) => a.id.localeCompare(b.id);
  const nodes = entries.filter((e) => e.available).map((e): ClusterNode => {
    const meta = readMetadata(e.metadata);
    const answer = answers.get(e.id);
    return {
      id: e.id, roles: meta.roles, zone: meta.zone, local: e.local,
      ...(meta.hospital ? { hospital: meta.hospital } : {}),
      ...(meta.version ? { version: meta.version } : {}),
      ...(answer?.ok ? { health: answer.health } : {}),
      ...(answer && !answer.ok ? { healthError: answer.error } : {}),
    };
  });
  const offline = entries.filter((e) => !e.available).map((e) => ({
    id: e.id, zone: readMetadata(e.metadata).zone,
    ...(e.lastHeartbeatTime ? { lastSeen: new Date(e.lastHeartbeatTime).toISOString() } : {}),
  }));
  return { platform, nodes: nodes.sort(byId), offline: offline.sort(byId) };
}
