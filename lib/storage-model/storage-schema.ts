// The storage cluster's index tables (versions 20-39 of the platform schema). Appended, never edited.
// Query-first: `blob_replicas` answers "where is this blob" (the read path, one partition per blob);
// `node_blobs` answers "what should this node hold" (anti-entropy, drain, rebalance), split into 256
// buckets per node by the hash's first byte so that no partition grows past ~100k rows below ~25M blobs
// per node; `storage_nodes` keeps each node's operator state; `blob_releases` queues garbage.
import type { Migration } from '../index-model/table-model.ts';

export const STORAGE_MIGRATIONS: readonly Migration[] = [
  {
    version: 20,
    description: 'storage cluster: blob replicas, per-node blob lists, node states, release queue',
    steps: [
      {
        kind: 'createTable',
        table: {
          name: 'blob_replicas',
          columns: { sha256: 'text', node_id: 'text', size: 'bigint', stored_at: 'timestamp' },
          partitionKey: ['sha256'],
          clusteringKey: [{ column: 'node_id', order: 'asc' }],
        },
      },
      {
        kind: 'createTable',
        table: {
          name: 'node_blobs',
          columns: { node_id: 'text', bucket: 'text', sha256: 'text', size: 'bigint', stored_at: 'timestamp' },
          partitionKey: ['node_id', 'bucket'],
          clusteringKey: [{ column: 'sha256', order: 'asc' }],
        },
      },
      {
        kind: 'createTable',
        table: {
          name: 'storage_nodes',
          columns: { scope: 'text', node_id: 'text', state: 'text', updated_at: 'timestamp' },
          partitionKey: ['scope'],
          clusteringKey: [{ column: 'node_id', order: 'asc' }],
        },
      },
      {
        kind: 'createTable',
        table: {
          name: 'blob_releases',
          columns: { bucket: 'text', sha256: 'text', released_at: 'timestamp' },
          partitionKey: ['bucket'],
          clusteringKey: [{ column: 'sha256', order: 'asc' }],
        },
      },
    ],
  },
];

/** The tables above: the only ones the storage index service serves to other nodes. */
export const STORAGE_TABLES: readonly string[] = ['blob_replicas', 'node_blobs', 'storage_nodes', 'blob_releases'];

/** Partition bucket of a blob in node_blobs and blob_releases: the first byte of its hash. */
export function blobBucket(sha256: string): string {
  return sha256.slice(0, 2);
}

/** Every bucket, in order ('00' ... 'ff'). */
export const ALL_BUCKETS: readonly string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
