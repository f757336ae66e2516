// One pass of the repair node over every blob, bucket by bucket (1/256 of the blobs in memory at a time):
// anti-entropy (what each live node really holds against what the index records), then for each blob the
// plan of lib/storage-model/plan-replication.ts: copies that restore the replication factor or follow
// placement (a node joined, returned or drains), removals once the copies hold (copy-then-delete). Copies
// run a few at a time under one byte-rate limit. A draining node whose last replica is removed is
// marked drained.
import { listNodeBlobs, queueRelease, readReplicas, recordReplica, forgetReplica, writeNodeState } from '../lib/storage-model/blob-index.ts';
import { ALL_BUCKETS } from '../lib/storage-model/storage-schema.ts';
import { planReplication, type RepairReason, type ReplicationPlan } from '../lib/storage-model/plan-replication.ts';
import type { IndexAccess } from '../lib/storage-model/blob-index.ts';
import type { ClusterMember, Members } from './cluster-member.ts';
import { copyReplica, removeReplica, type ReplicaOps } from './replica-ops.ts';
import type { RateLimiter } from './rate-limiter.ts';

export interface RepairPassDeps extends ReplicaOps {
  readonly members: () => Promise<Members>;
  readonly factor: number;
  readonly distinctZones: boolean;
  readonly limiter: RateLimiter;
  readonly concurrency: number;
  readonly onMove: (delta: 1 | -1) => void;
  readonly onRepair: (reason: RepairReason) => void;
  readonly log: { warn(...args: unknown[]): void };
  readonly signal: AbortSignal;
}

export interface PassReport {
  readonly blobs: number;
  readonly underReplicated: number;
  readonly copies: number;
  readonly removals: number;
  readonly drained: readonly string[];
}

interface BlobHolding { size: number; replicas: string[] }

const BUCKET_CONCURRENCY = 4;

async function scanBucket(index: IndexAccess, nodeId: string, bucket: string): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  let pageState: string | undefined;
  do {
    const page = await index.scan('node_blobs', { node_id: nodeId, bucket }, { limit: 1000, ...(pageState ? { pageState } : {}) });
    for (const r of page.rows) out.set(String(r.sha256), Number(r.size));
    pageState = page.pageState;
  } while (pageState);
  return out;
}

/** Makes the index agree with a live node's disk for one bucket; returns what the node holds. */
async function reconcile(deps: RepairPassDeps, node: ClusterMember, bucket: string): Promise<Map<string, number>> {
  const recorded = await scanBucket(deps.index, node.id, bucket);
  if (!node.live) return recorded;
  const onDisk = new Map((await deps.callNode<{ sha256: string; size: number }[]>(node.id, 'storage.list', { bucket })).map((b) => [b.sha256, b.size]));
  for (const sha256 of recorded.keys()) if (!onDisk.has(sha256)) await forgetReplica(deps.index, sha256, node.id);
  for (const [sha256, size] of onDisk) {
    if (recorded.has(sha256)) continue;
    // On disk but unrecorded: a write the node finished after its writer gave up, or one that never
    // reached the quorum. With no other replica recorded it was never acknowledged: queue it for release
    // (removed after the grace period unless something references it by then).
    if ((await readReplicas(deps.index, sha256)).length === 0) await queueRelease(deps.index, sha256, new Date());
    await recordReplica(deps.index, sha256, size, node.id);
  }
  return onDisk;
}

async function execute(deps: RepairPassDeps, members: Members, sha256: string, size: number, plan: ReplicationPlan): Promise<{ copied: number; removed: number }> {
  let copied = 0;
  for (const copy of plan.copies) {
    const from = members.get(copy.from);
    const to = members.get(copy.to);
    if (!from || !to) continue;
    await deps.limiter.take(size);
    deps.onMove(1);
    try {
      await copyReplica(deps, sha256, size, from, to);
      copied += 1;
      if (plan.reason) deps.onRepair(plan.reason);
    } catch (error) {
      deps.log.warn('replica copy failed', { sha256, from: from.id, to: to.id, error: (error as Error).message });
    } finally {
      deps.onMove(-1);
    }
  }
  if (copied < plan.copies.length) return { copied, removed: 0 };
  let removed = 0;
  for (const nodeId of plan.removals) {
    await removeReplica(deps, sha256, nodeId, members.get(nodeId)?.live === true).then(() => { removed += 1; },
      (error: unknown) => deps.log.warn('replica removal failed', { sha256, node: nodeId, error: (error as Error).message }));
  }
  return { copied, removed };
}

async function runLimited<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => { while (next < items.length) { const item = items[next++] as T; await work(item); } };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

export async function runRepairPass(deps: RepairPassDeps): Promise<PassReport> {
  const members = await deps.members();
  const scanned = [...members.values()].filter((m) => m.state !== 'drained');
  const remainingOnDraining = new Map(scanned.filter((m) => m.state === 'draining').map((m) => [m.id, 0]));
  let blobs = 0; let underReplicated = 0; let copies = 0; let removals = 0;
  // A few buckets at a time, every node of a bucket at once: a pass is mostly round trips.
  await runLimited(ALL_BUCKETS, BUCKET_CONCURRENCY, async (bucket) => {
    if (deps.signal.aborted) return;
    const holdings = new Map<string, BlobHolding>();
    const held = await Promise.all(scanned.map((node) => reconcile(deps, node, bucket).catch((error: unknown) => {
      deps.log.warn('anti-entropy of a node failed', { node: node.id, bucket, error: (error as Error).message });
      // What a draining node holds here is unknown this pass: it cannot be declared drained.
      const left = remainingOnDraining.get(node.id);
      if (left !== undefined) remainingOnDraining.set(node.id, left + 1);
      return new Map<string, number>();
    })));
    scanned.forEach((node, i) => {
      for (const [sha256, size] of held[i] ?? []) {
        const h = holdings.get(sha256) ?? { size, replicas: [] };
        h.replicas.push(node.id);
        holdings.set(sha256, h);
      }
    });
    blobs += holdings.size;
    await runLimited([...holdings], Math.max(1, Math.floor(deps.concurrency / BUCKET_CONCURRENCY)), async ([sha256, h]) => {
      const plan = planReplication({ sha256, replicas: h.replicas, members, factor: deps.factor, distinctZones: deps.distinctZones });
      const done = await execute(deps, members, sha256, h.size, plan);
      copies += done.copied; removals += done.removed;
      if (plan.healthy + done.copied < deps.factor) underReplicated += 1;
      for (const id of h.replicas) {
        const left = remainingOnDraining.get(id);
        if (left !== undefined && !(plan.removals.includes(id) && done.removed === plan.removals.length)) remainingOnDraining.set(id, left + 1);
      }
    });
  });
  const drained: string[] = [];
  if (!deps.signal.aborted) {
    for (const [id, left] of remainingOnDraining) {
      if (left > 0) continue;
      await writeNodeState(deps.index, id, 'drained');
      drained.push(id);
    }
  }
  return { blobs, underReplicated, copies, removals, drained };
}

/** Index rows of one node (used by status): how many blobs the index says it holds. */
export async function countNodeBlobs(index: IndexAccess, nodeId: string): Promise<number> {
  let n = 0;
  for await (const blob of listNodeBlobs(index, nodeId)) if (blob.sha256) n += 1;
  return n;
}
