// Who the storage nodes are right now: the topology's storage nodes (zone, capacity as placement weight,
// host), whether the broker's registry lists them as available (and on which HTTP port they announced),
// and the operator state the index records (active unless drained or draining). States are cached
// briefly: placement runs on every write.
import type { ServiceBroker } from 'moleculer';
import type { Topology } from '../topology/topology-types.ts';
import { readNodeStates, type IndexAccess, type NodeState } from '../lib/storage-model/blob-index.ts';
import type { ClusterMember, Members } from './cluster-member.ts';

interface RegistryNode {
  id: string;
  available: boolean;
  metadata?: { httpPort?: unknown; roles?: unknown };
}

export interface Membership {
  members(): Promise<Members>;
  /** Forget cached states (after a state change). */
  refresh(): void;
}

const STATE_CACHE_MS = 2000;

export function createMembership(broker: ServiceBroker, topology: Topology, index: IndexAccess): Membership {
  let states: { at: number; value: Promise<Map<string, NodeState>> } | undefined;
  const readStates = () => {
    if (!states || Date.now() - states.at > STATE_CACHE_MS) {
      const value = readNodeStates(index);
      states = { at: Date.now(), value };
      value.catch(() => { states = undefined; });
    }
    return states.value;
  };
  return {
    refresh: () => { states = undefined; },
    async members(): Promise<Members> {
      const known = await readStates();
      const registry = new Map((broker.registry.getNodeList({ onlyAvailable: false, withServices: false }) as unknown as RegistryNode[]).map((n) => [n.id, n]));
      const out = new Map<string, ClusterMember>();
      for (const spec of topology.nodes) {
        if (!spec.storage) continue;
        const entry = registry.get(spec.id);
        const port = typeof entry?.metadata?.httpPort === 'number' ? entry.metadata.httpPort : spec.http.port;
        const host = spec.http.host === '0.0.0.0' ? '127.0.0.1' : spec.http.host;
        out.set(spec.id, {
          id: spec.id, zone: spec.zone, weight: spec.storage.capacityBytes, url: `http://${host}:${port}`,
          live: entry?.available === true, state: known.get(spec.id) ?? 'active',
        });
      }
      return out;
    },
  };
}
