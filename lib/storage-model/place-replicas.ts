// Weighted rendezvous (highest random weight) hashing: every (node, blob) pair gets a score
// -ln(u) / weight with u uniform in (0, 1) derived from both names; the lowest scores win. Adding a node
// moves only the blobs it now wins (its fair share, weight / total weight); removing one moves only its
// blobs. Unlike Moleculer's Shard strategy nothing else is re-sliced. Replicas go to distinct zones
// while unused zones remain among the candidates, then fill by rank.
import { createHash } from 'node:crypto';

export interface PlacementNode {
  readonly id: string;
  readonly zone: string;
  /** Relative weight, e.g. capacity in bytes; must be > 0. */
  readonly weight: number;
}

/** u in (0, 1) from the first 52 bits of SHA-256(node || blob). */
function unitHash(nodeId: string, key: string): number {
  const digest = createHash('sha256').update(nodeId).update('\0').update(key).digest();
  const high = digest.readUInt32BE(0) >>> 12; // 20 bits
  const low = digest.readUInt32BE(4); // 32 bits
  return (high * 2 ** 32 + low + 0.5) / 2 ** 52;
}

export function rendezvousScore(node: PlacementNode, key: string): number {
  return -Math.log(unitHash(node.id, key)) / node.weight;
}

/** Every candidate, best first (ties broken by id so every node computes the same order). */
export function rankNodes(nodes: readonly PlacementNode[], key: string): PlacementNode[] {
  return nodes
    .filter((n) => n.weight > 0)
    .map((n) => ({ n, s: rendezvousScore(n, key) }))
    .sort((a, b) => a.s - b.s || a.n.id.localeCompare(b.n.id))
    .map((x) => x.n);
}

/** Orders a ranking so that the first replicas land in distinct zones, keeping rank order otherwise. */
export function spreadZones(ranked: readonly PlacementNode[], distinctZones: boolean): PlacementNode[] {
  if (!distinctZones) return [...ranked];
  const first: PlacementNode[] = [];
  const rest: PlacementNode[] = [];
  const used = new Set<string>();
  for (const node of ranked) {
    if (used.has(node.zone)) rest.push(node);
    else { used.add(node.zone); first.push(node); }
  }
  return [...first, ...rest];
}

/** The `factor` nodes that should hold the blob, best first. */
export function placeReplicas(nodes: readonly PlacementNode[], key: string, factor: number, distinctZones: boolean): PlacementNode[] {
  return spreadZones(rankNodes(nodes, key), distinctZones).slice(0, factor);
}
