// Storage metrics (names agreed for the platform): each storage node exports its disk and traffic, the
// node that runs repair exports the cluster's replication state. Registered on the node's registry;
// no blob hash ever appears in a label.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { LATENCY_BUCKETS } from './node-metrics.ts';

export interface StorageNodeMetrics {
  readonly capacity: Gauge;
  readonly used: Gauge;
  readonly objects: Gauge;
  readonly fillRatio: Gauge;
  readonly operationDuration: Histogram<'operation'>;
  readonly bytes: Counter<'direction'>;
  readonly scrubVerifiedBytes: Counter;
  readonly scrubCorruptBlobs: Counter;
  readonly nodeState: Gauge<'state'>;
}

export interface StorageClusterMetrics {
  readonly underReplicated: Gauge;
  readonly movesInFlight: Gauge;
  readonly repairs: Counter<'reason'>;
}

export function createStorageNodeMetrics(registry: Registry): StorageNodeMetrics {
  const registers = [registry];
  return {
    capacity: new Gauge({ name: 'yunying_storage_capacity_bytes', help: 'Capacity this storage node offers.', registers }),
    used: new Gauge({ name: 'yunying_storage_used_bytes', help: 'Bytes of blobs stored on this node.', registers }),
    objects: new Gauge({ name: 'yunying_storage_objects', help: 'Blobs stored on this node.', registers }),
    fillRatio: new Gauge({ name: 'yunying_storage_fill_ratio', help: 'Used bytes over capacity.', registers }),
    operationDuration: new Histogram({
      name: 'yunying_storage_operation_duration_seconds', help: 'Blob puts and gets served by this node.',
      labelNames: ['operation'], buckets: LATENCY_BUCKETS, registers,
    }),
    bytes: new Counter({ name: 'yunying_storage_bytes_total', help: 'Blob bytes received (in) and sent (out).', labelNames: ['direction'], registers }),
    scrubVerifiedBytes: new Counter({ name: 'yunying_storage_scrub_verified_bytes_total', help: 'Bytes the scrubber re-hashed.', registers }),
    scrubCorruptBlobs: new Counter({ name: 'yunying_storage_scrub_corrupt_blobs_total', help: 'Blobs the scrubber found corrupt.', registers }),
    nodeState: new Gauge({ name: 'yunying_storage_node_state', help: 'The operator state of this node (1 for the current one).', labelNames: ['state'], registers }),
  };
}

export function createStorageClusterMetrics(registry: Registry): StorageClusterMetrics {
  const registers = [registry];
  const repairs = new Counter({ name: 'yunying_storage_repairs_total', help: 'Replicas copied to restore or move a blob, by reason.', labelNames: ['reason'], registers });
  // Every reason starts at 0, so "no repairs" reads as zero on dashboards rather than as no data.
  for (const reason of ['read_repair', 'anti_entropy', 'drain', 'rebalance']) repairs.inc({ reason }, 0);
  return {
    repairs,
    underReplicated: new Gauge({ name: 'yunying_storage_under_replicated_blobs', help: 'Blobs with fewer healthy replicas than the replication factor (as of the last pass, minus repairs since).', registers }),
    movesInFlight: new Gauge({ name: 'yunying_storage_moves_in_flight', help: 'Replica copies under way (repair, drain, rebalance).', registers }),
  };
}
