// Wires the storage cluster into one node by its roles: `index` serves the storage tables, `storage`
// runs the disk, its data path and scrubber, `repair` runs repair, drain, rebalance and garbage
// collection, `api` serves /api/storage. Called by the node runner before the broker starts; nothing
// happens on a node that keeps its blobs on its local disk (the embedded default).
import { isAbsolute, join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { ServiceBroker } from 'moleculer';
import type { Registry } from 'prom-client';
import type { NodeRuntime } from '../../lib/config/resolve-node.ts';
import type { IndexEngine } from '../../lib/index-model/index-engine.ts';
import { usesStorageCluster } from '../../lib/storage-model/uses-storage-cluster.ts';
import { deriveClusterSecret } from '../../lib/storage-model/cluster-secret.ts';
import type { NodeState } from '../../lib/storage-model/blob-index.ts';
import { createVolumeStore } from '../../storage-nodes/volume-store.ts';
import { createMembership } from '../../storage-nodes/storage-membership.ts';
import { DATA_PATH_IDLE_TIMEOUT_MS, storageIndexAccess } from '../../storage-nodes/open-cluster-blob-store.ts';
import { createStorageClusterMetrics, createStorageNodeMetrics } from '../../monitoring/storage-metrics.ts';
import { registerBlobRoutes } from './blob-routes.ts';
import { createStorageIndexService } from './storage-index.service.ts';
import { createStorageNodeService } from './storage-node.service.ts';
import { createStorageRepairService } from './storage-repair.service.ts';
import { registerStorageApiRoutes } from './storage-api-routes.ts';

export interface AttachStorageInput {
  readonly runtime: NodeRuntime;
  readonly broker: ServiceBroker;
  readonly http: FastifyInstance;
  readonly registry: Registry;
  readonly adminToken: string;
  readonly engine?: IndexEngine;
  /** Asks the catalog whether an index entry still references a blob (garbage collection); default:
   * the `archive.isBlobReferenced` action wherever a node offers it, and "referenced" (keep) when none does. */
  readonly isReferenced?: (sha256: string) => Promise<boolean>;
}

/** The action the archive offers to answer "does an index entry still reference this blob?". */
export const IS_REFERENCED_ACTION = 'archive.isBlobReferenced';

function askCatalog(broker: ServiceBroker): (sha256: string) => Promise<boolean> {
  return async (sha256) => {
    // No catalog reachable: never guess "unreferenced", keep the bytes.
    if (broker.registry.getActionEndpoints(IS_REFERENCED_ACTION)?.hasAvailable() !== true) return true;
    return (await broker.call<boolean, { sha256: string }>(IS_REFERENCED_ACTION, { sha256 })) !== false;
  };
}

export function attachStorage(input: AttachStorageInput): void {
  const { runtime, broker, http, registry, engine } = input;
  const { node, topology, config } = runtime;
  if (!usesStorageCluster(topology, node.id)) return;
  const index = storageIndexAccess(broker, engine);
  const secret = deriveClusterSecret(input.adminToken);
  if (engine) broker.createService(createStorageIndexService(engine));
  if (node.roles.includes('storage') && node.storage) {
    const root = isAbsolute(node.storage.path) ? node.storage.path : join(runtime.dataDir, node.storage.path);
    const store = createVolumeStore({ root, nodeId: node.id, capacityBytes: node.storage.capacityBytes, maxFillRatio: config.storageMaxFillRatio, recoverNow: true });
    const metrics = createStorageNodeMetrics(registry);
    const state: { current: NodeState } = { current: 'active' };
    registerBlobRoutes(http, { store, secret, metrics, acceptsWrites: () => state.current !== 'drained' });
    broker.createService(createStorageNodeService({
      nodeId: node.id, zone: node.zone, store, secret, metrics, index, state,
      scrubBytesPerSecond: config.storageScrubBytesPerSecond, timeoutMs: DATA_PATH_IDLE_TIMEOUT_MS, compact: () => store.compact(),
    }));
  }
  if (node.roles.includes('repair')) {
    broker.createService(createStorageRepairService({
      index, membership: createMembership(broker, topology, index),
      factor: topology.replication.factor, distinctZones: topology.placement.distinctZones,
      intervalSeconds: config.storageRepairIntervalSeconds, bytesPerSecond: config.storageRepairBytesPerSecond,
      graceSeconds: config.storageReleaseGraceSeconds,
      isReferenced: input.isReferenced ?? askCatalog(broker),
      metrics: createStorageClusterMetrics(registry),
    }));
  }
  if (node.roles.includes('api')) registerStorageApiRoutes(http, broker);
}
