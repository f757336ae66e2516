// Reads and writes of the storage tables (storage-schema.ts) over any index engine, or over a remote
// proxy of one: where each blob's replicas are, what each node should hold, node states, releases.
import type { IndexEngine, Mutation } from '../index-model/index-engine.ts';
import type { Row } from '../index-model/table-model.ts';
import { ALL_BUCKETS, blobBucket } from './storage-schema.ts';

/** The part of the index engine port the storage cluster uses. */
export type IndexAccess = Pick<IndexEngine, 'write' | 'get' | 'scan'>;

export const NODE_STATES = ['active', 'draining', 'drained'] as const;
export type NodeState = (typeof NODE_STATES)[number];

export interface ReplicaRecord {
  readonly nodeId: string;
  readonly size: number;
}

export interface NodeBlob {
  readonly sha256: string;
  readonly size: number;
}

const SCAN_PAGE = 1000;

function text(row: Row, column: string): string {
  const v = row[column];
  return typeof v === 'string' ? v : '';
}

function num(row: Row, column: string): number {
  const v = row[column];
  return typeof v === 'number' ? v : 0;
}

export async function readReplicas(index: IndexAccess, sha256: string): Promise<ReplicaRecord[]> {
  const page = await index.scan('blob_replicas', { sha256 }, { limit: 100 });
  return page.rows.map((r) => ({ nodeId: text(r, 'node_id'), size: num(r, 'size') }));
}

export async function recordReplica(index: IndexAccess, sha256: string, size: number, nodeId: string): Promise<void> {
  const storedAt = new Date();
  await index.write([
    { kind: 'put', table: 'blob_replicas', row: { sha256, node_id: nodeId, size, stored_at: storedAt } },
    { kind: 'put', table: 'node_blobs', row: { node_id: nodeId, bucket: blobBucket(sha256), sha256, size, stored_at: storedAt } },
  ]);
}

export async function forgetReplica(index: IndexAccess, sha256: string, nodeId: string): Promise<void> {
  await index.write([
    { kind: 'delete', table: 'blob_replicas', key: { sha256, node_id: nodeId } },
    { kind: 'delete', table: 'node_blobs', key: { node_id: nodeId, bucket: blobBucket(sha256), sha256 } },
  ]);
}

/** What the index says one node holds, bucket by bucket (each bucket paged). */
export async function* listNodeBlobs(index: IndexAccess, nodeId: string): AsyncGenerator<NodeBlob> {
  for (const bucket of ALL_BUCKETS) {
    let pageState: string | undefined;
    do {
      const page = await index.scan('node_blobs', { node_id: nodeId, bucket }, { limit: SCAN_PAGE, ...(pageState ? { pageState } : {}) });
      for (const r of page.rows) yield { sha256: text(r, 'sha256'), size: num(r, 'size') };
      pageState = page.pageState;
    } while (pageState);
  }
}

export async function readNodeStates(index: IndexAccess): Promise<Map<string, NodeState>> {
  const page = await index.scan('storage_nodes', { scope: 'nodes' }, { limit: 10_000 });
  const states = new Map<string, NodeState>();
  for (const r of page.rows) {
    const state = text(r, 'state');
    if ((NODE_STATES as readonly string[]).includes(state)) states.set(text(r, 'node_id'), state as NodeState);
  }
  return states;
}

export async function writeNodeState(index: IndexAccess, nodeId: string, state: NodeState): Promise<void> {
  await index.write([{ kind: 'put', table: 'storage_nodes', row: { scope: 'nodes', node_id: nodeId, state, updated_at: new Date() } }]);
}

export async function queueRelease(index: IndexAccess, sha256: string, at: Date): Promise<void> {
  await index.write([{ kind: 'put', table: 'blob_releases', row: { bucket: blobBucket(sha256), sha256, released_at: at } }]);
}

export async function* listReleases(index: IndexAccess): AsyncGenerator<{ sha256: string; releasedAt: Date }> {
  for (const bucket of ALL_BUCKETS) {
    let pageState: string | undefined;
    do {
      const page = await index.scan('blob_releases', { bucket }, { limit: SCAN_PAGE, ...(pageState ? { pageState } : {}) });
      for (const r of page.rows) {
        const at = r.released_at;
        yield { sha256: text(r, 'sha256'), releasedAt: at instanceof Date ? at : new Date(0) };
      }
      pageState = page.pageState;
    } while (pageState);
  }
}

/** Cancels a pending release (a put of the same bytes): read first, so that the common case (nothing
 * released) writes no tombstone. */
export async function cancelRelease(index: IndexAccess, sha256: string): Promise<void> {
  if (await index.get('blob_releases', { bucket: blobBucket(sha256), sha256 })) await dropRelease(index, sha256);
}

export async function dropRelease(index: IndexAccess, sha256: string): Promise<void> {
  const mutation: Mutation = { kind: 'delete', table: 'blob_releases', key: { bucket: blobBucket(sha256), sha256 } };
  await index.write([mutation]);
}
