// GET /api/cluster: the registry's live nodes, each asked for its health with a short timeout so
// that one frozen node cannot hold the answer.
import type { ServiceBroker } from 'moleculer';
import { PreciseDiscoverer } from '../broker/precise-discoverer.ts';
import { summarizeCluster, type ClusterView, type HealthAnswer, type NodeHealth, type RegistryEntry } from '../../lib/cluster/node-health.ts';

interface RegistryNode {
  id: string;
  available: boolean;
  local: boolean;
  metadata?: unknown;
}

export function readRegistry(broker: ServiceBroker): RegistryEntry[] {
  const nodes = broker.registry.getNodeList({ onlyAvailable: false, withServices: false }) as unknown as RegistryNode[];
  const discoverer = broker.registry.discoverer;
  return nodes.map((n) => {
    const lastSeen = discoverer instanceof PreciseDiscoverer ? discoverer.lastSeen(n.id) : undefined;
    return { id: n.id, available: n.available, local: n.local, metadata: n.metadata, ...(lastSeen ? { lastHeartbeatTime: lastSeen } : {}) };
  });
}

export async function collectClusterView(broker: ServiceBroker, timeoutSeconds: number): Promise<ClusterView> {
  const entries = readRegistry(broker);
  const answers = new Map<string, HealthAnswer>();
  await Promise.all(entries.filter((e) => e.available).map(async (e) => {
    try {
      const health = await broker.call<NodeHealth, Record<string, never>>('node.health', {}, { nodeID: e.id, timeout: timeoutSeconds * 1000, retries: 0 });
      answers.set(e.id, { ok: true, health });
    } catch (error) {
      answers.set(e.id, { ok: false, error: (error as Error).message });
    }
  }));
  return summarizeCluster(broker.namespace ?? '', entries, answers);
}
