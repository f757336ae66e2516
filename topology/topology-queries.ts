// Look-ups the node runner and placement make on a validated topology.
import { TopologyError } from './topology-error.ts';
import type { Hospital, NodeSpec, Role, StorageSpec, Topology } from './topology-types.ts';

/** A node with the storage role; validation guarantees its storage block. */
export type StorageNode = NodeSpec & { readonly storage: StorageSpec };

/** The node this process runs as; the id comes from `--node` or YY_NODE_ID. */
export function findNode(t: Topology, nodeId: string): NodeSpec {
  const node = t.nodes.find((candidate) => candidate.id === nodeId);
  if (node !== undefined) return node;
  const known = t.nodes.map((candidate) => candidate.id).join(', ');
  const asked = nodeId === '' ? 'no node id given' : `no node "${nodeId}" in this topology`;
  throw new TopologyError(`platform ${t.platform.id}`, [
    { path: 'nodes', message: `${asked}: set --node or YY_NODE_ID to one of ${known}` },
  ]);
}

export function storageNodes(t: Topology): readonly StorageNode[] {
  return t.nodes.filter((node): node is StorageNode => node.roles.includes('storage') && node.storage !== undefined);
}

export function nodesWithRole(t: Topology, role: Role): readonly NodeSpec[] {
  return t.nodes.filter((node) => node.roles.includes(role));
}

/** The hospital an edge node serves; undefined for other nodes. Throws like findNode for an unknown id. */
export function hospitalOf(t: Topology, nodeId: string): Hospital | undefined {
  const { hospital } = findNode(t, nodeId);
  return hospital === undefined ? undefined : t.hospitals.find((candidate) => candidate.id === hospital);
}
