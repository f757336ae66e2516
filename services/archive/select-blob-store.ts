// The blob store of a node: the local disk in the embedded default (a storage role, one copy), the
// storage cluster as soon as the topology has other storage nodes or keeps more than one copy.
import { isAbsolute, join } from 'node:path';
import type { ServiceBroker } from 'moleculer';
import type { BlobStore } from '../../lib/blob-store/blob-store.ts';
import type { NodeRuntime } from '../../lib/config/resolve-node.ts';
import type { IndexEngine } from '../../lib/index-model/index-engine.ts';
import { usesStorageCluster } from '../../lib/storage-model/uses-storage-cluster.ts';
import { createVolumeStore } from '../../storage-nodes/volume-store.ts';
import { openClusterBlobStore } from '../../storage-nodes/open-cluster-blob-store.ts';

export interface BlobStoreSelection {
  readonly adminToken: string;
  /** The node's own index engine (index nodes), so the cluster store reads replica locations locally. */
  readonly engine?: IndexEngine;
}

export function selectBlobStore(runtime: NodeRuntime, broker: ServiceBroker, selection: BlobStoreSelection): BlobStore {
  const { node, topology, config } = runtime;
  if (usesStorageCluster(topology, node.id)) return openClusterBlobStore(broker, runtime, selection.adminToken, selection.engine);
  const storage = node.storage;
  if (!node.roles.includes('storage') || !storage) {
    throw new Error(`node ${node.id}: the archive needs a blob store, but the topology has no storage node (give this node the storage role)`);
  }
  const root = isAbsolute(storage.path) ? storage.path : join(runtime.dataDir, storage.path);
  return createVolumeStore({ root, nodeId: node.id, capacityBytes: storage.capacityBytes, maxFillRatio: config.storageMaxFillRatio, recoverNow: true });
}
