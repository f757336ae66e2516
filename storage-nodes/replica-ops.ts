// The replica operations of repair, drain, rebalance and garbage collection, each one storage-node
// action plus the index rows that record it. Copies go node to node over HTTP (`storage.fetch` makes the
// target read from the source), never through the node that decided them.
import { forgetReplica, readReplicas, recordReplica, type IndexAccess } from '../lib/storage-model/blob-index.ts';
import type { ClusterMember, Members } from './cluster-member.ts';

export type CallNode = <T>(nodeId: string, action: string, params: Record<string, unknown>) => Promise<T>;

export interface ReplicaOps {
  readonly index: IndexAccess;
  readonly callNode: CallNode;
}

export async function copyReplica(ops: ReplicaOps, sha256: string, size: number, from: ClusterMember, to: ClusterMember): Promise<void> {
  await ops.callNode(to.id, 'storage.fetch', { sha256, size, from: { id: from.id, url: from.url } });
  await recordReplica(ops.index, sha256, size, to.id);
}

export async function removeReplica(ops: ReplicaOps, sha256: string, nodeId: string, live: boolean): Promise<void> {
  // Forget first: a read that races the removal then never picks this replica.
  await forgetReplica(ops.index, sha256, nodeId);
  if (live) await ops.callNode(nodeId, 'storage.remove', { sha256 });
}

/** Read repair: checks a replica reported bad; quarantines it when corrupt or forgets it when absent,
 * then copies the blob back from a good replica. Returns what was found. */
export async function checkReplica(ops: ReplicaOps, members: Members, sha256: string, nodeId: string): Promise<'good' | 'repaired' | 'lost'> {
  const node = members.get(nodeId);
  if (!node?.live) return 'good';
  const ok = await ops.callNode<boolean | null>(nodeId, 'storage.verify', { sha256 });
  if (ok === true) return 'good';
  if (ok === false) await ops.callNode(nodeId, 'storage.quarantine', { sha256 });
  await forgetReplica(ops.index, sha256, nodeId);
  const replicas = (await readReplicas(ops.index, sha256)).filter((r) => members.get(r.nodeId)?.live);
  for (const replica of replicas) {
    const source = members.get(replica.nodeId);
    if (!source) continue;
    const good = await ops.callNode<boolean | null>(source.id, 'storage.verify', { sha256 }).catch(() => null);
    if (good !== true) continue;
    await copyReplica(ops, sha256, replica.size, source, node);
    return 'repaired';
  }
  return 'lost';
}
