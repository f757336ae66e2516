// What one blob needs so that it sits, at full replication, where placement wants it: the copies to make
// (and from where), the replicas to remove afterwards, and why. Pure: the repair loop feeds it the
// membership it sees and the replicas the index records, and carries out the steps.
import type { NodeState } from './blob-index.ts';
import { placeReplicas, type PlacementNode } from './place-replicas.ts';

export interface StorageMember extends PlacementNode {
  /** In the broker's registry right now. */
  readonly live: boolean;
  readonly state: NodeState;
}

export type RepairReason = 'read_repair' | 'anti_entropy' | 'drain' | 'rebalance';

export interface ReplicationPlan {
  /** Replicas on live nodes that are not drained (a draining node still serves its copies). */
  readonly healthy: number;
  /** Fewer healthy replicas than the factor: degraded, not merely misplaced. */
  readonly underReplicated: boolean;
  readonly copies: readonly { readonly to: string; readonly from: string }[];
  /** Replicas to remove once every copy has succeeded (copy-then-delete). */
  readonly removals: readonly string[];
  readonly reason?: RepairReason;
}

export interface PlanInput {
  readonly sha256: string;
  /** Node IDs the index records as holding the blob. */
  readonly replicas: readonly string[];
  readonly members: ReadonlyMap<string, StorageMember>;
  readonly factor: number;
  readonly distinctZones: boolean;
}

export function isPlaceable(member: StorageMember): boolean {
  return member.live && member.state === 'active';
}

function serves(member: StorageMember | undefined): boolean {
  return member !== undefined && member.live && member.state !== 'drained';
}

export function planReplication(input: PlanInput): ReplicationPlan {
  const { sha256, replicas, members, factor } = input;
  const held = new Set(replicas);
  const candidates = [...members.values()].filter(isPlaceable);
  const targets = placeReplicas(candidates, sha256, factor, input.distinctZones).map((n) => n.id);
  const healthyIds = replicas.filter((id) => serves(members.get(id)));
  const healthy = healthyIds.length;
  const underReplicated = healthy < factor;
  // Prefer an active node as the source: a draining one is about to leave.
  const source = healthyIds.find((id) => members.get(id)?.state === 'active') ?? healthyIds[0];
  const missingTargets = targets.filter((id) => !held.has(id));
  if (source === undefined) return { healthy, underReplicated, copies: [], removals: [] };
  if (missingTargets.length === 0) return { healthy, underReplicated, copies: [], removals: surplus(replicas, healthyIds, targets, members, factor) };
  const wanted = Math.min(factor, candidates.length);
  if (healthy < wanted) {
    const needed = missingTargets.slice(0, wanted - healthy);
    return { healthy, underReplicated, copies: needed.map((to) => ({ to, from: source })), removals: [], reason: 'anti_entropy' };
  }
  // Fully replicated but not where placement wants it (a node joined, returned or drains): move one
  // replica, the draining one first.
  const misplaced = healthyIds.filter((id) => !targets.includes(id))
    .sort((a, b) => Number(members.get(b)?.state === 'draining') - Number(members.get(a)?.state === 'draining'));
  const to = missingTargets[0];
  const from = misplaced[0];
  if (to === undefined || from === undefined) return { healthy, underReplicated, copies: [], removals: [] };
  const reason = members.get(from)?.state === 'draining' ? 'drain' : 'rebalance';
  return { healthy, underReplicated, copies: [{ to, from: source }], removals: [from], reason };
}

/** Once the targets hold the blob: replicas on draining nodes, and healthy replicas beyond the factor
 * that placement does not want. */
function surplus(replicas: readonly string[], healthyIds: readonly string[], targets: readonly string[], members: ReadonlyMap<string, StorageMember>, factor: number): string[] {
  const draining = replicas.filter((id) => { const m = members.get(id); return m?.live === true && m.state === 'draining'; });
  const active = healthyIds.filter((id) => !draining.includes(id));
  if (active.length < factor) return [];
  const extra = active.length > factor ? active.filter((id) => !targets.includes(id)).slice(0, active.length - factor) : [];
  return [...draining, ...extra];
}
