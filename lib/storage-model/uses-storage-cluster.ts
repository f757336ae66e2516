// Whether a node stores blobs through the storage cluster or on its own local disk: the cluster as
// soon as the topology has a storage node other than this one or keeps more than one copy; the
// embedded default (one process, factor 1) keeps the local disk store and runs no cluster machinery.
import type { Topology } from '../../topology/topology-types.ts';

export function usesStorageCluster(topology: Topology, nodeId: string): boolean {
  return topology.replication.factor > 1 || topology.nodes.some((n) => n.id !== nodeId && n.roles.includes('storage'));
}
