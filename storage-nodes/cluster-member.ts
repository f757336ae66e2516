// A storage node as the cluster clients see it: placement facts plus where its blob data path listens.
import type { StorageMember } from '../lib/storage-model/plan-replication.ts';
import type { NodeEndpoint } from './blob-http-client.ts';

export interface ClusterMember extends StorageMember, NodeEndpoint {}

export type Members = ReadonlyMap<string, ClusterMember>;

/** Live members ordered for reading: this zone first, then the others, each group in the given order. */
export function readOrder(members: Members, replicaIds: readonly string[], localZone: string): ClusterMember[] {
  const live = replicaIds.map((id) => members.get(id)).filter((m): m is ClusterMember => m !== undefined && m.live && m.state !== 'drained');
  return [...live.filter((m) => m.zone === localZone), ...live.filter((m) => m.zone !== localZone)];
}
