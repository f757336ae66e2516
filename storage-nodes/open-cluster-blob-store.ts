// The storage cluster's BlobStore for any node of a topology with storage nodes: membership from the
// broker's registry and the topology, replica locations through the index (the engine itself on index
// nodes, the storageIndex service elsewhere), read-repair reports as `blob.suspect` events.
import type { ServiceBroker } from 'moleculer';
import type { BlobStore } from '../lib/blob-store/blob-store.ts';
import type { NodeRuntime } from '../lib/config/resolve-node.ts';
import type { IndexAccess } from '../lib/storage-model/blob-index.ts';
import { deriveClusterSecret } from '../lib/storage-model/cluster-secret.ts';
import { effectiveWriteQuorum } from '../lib/storage-model/quorum.ts';
import { createClusterBlobStore } from './cluster-blob-store.ts';
import { createMembership } from './storage-membership.ts';
import { createRemoteIndex } from './remote-index.ts';

/** How long a replica may send or accept no byte before the cluster gives up on it. */
export const DATA_PATH_IDLE_TIMEOUT_MS = 30_000;

export function storageIndexAccess(broker: ServiceBroker, local?: IndexAccess): IndexAccess {
  return local ?? createRemoteIndex((action, params) => broker.call(action, params));
}

export function openClusterBlobStore(broker: ServiceBroker, runtime: NodeRuntime, adminToken: string, localIndex?: IndexAccess): BlobStore {
  const { topology, config, node } = runtime;
  const index = storageIndexAccess(broker, localIndex);
  const membership = createMembership(broker, topology, index);
  const log = broker.getLogger('cluster-blob-store');
  return createClusterBlobStore({
    index,
    members: () => membership.members(),
    localZone: node.zone,
    secret: deriveClusterSecret(adminToken),
    factor: topology.replication.factor,
    writeQuorum: effectiveWriteQuorum(topology.replication.factor, topology.replication.writeQuorum, config.storageWriteQuorum),
    distinctZones: topology.placement.distinctZones,
    timeoutMs: DATA_PATH_IDLE_TIMEOUT_MS,
    suspect: (sha256, nodeId) => { broker.emit('blob.suspect', { sha256, nodeId }).catch(() => undefined); },
    log,
  });
}
