// Metrics of a hospital edge node (names agreed in agreed-metrics.ts): whether it exchanges heartbeats
// with the city, its upload backlog, its last confirmed upload and the disk its local copies live on. No labels: the scrape configuration
// adds node and hospital. The backlog gauges read the queue when scraped.
import { Counter, Gauge, type Registry } from 'prom-client';

export interface EdgeMetricsSource {
  readonly queueDepth: number;
  /** Items the city refused for good: they wait for an operator (POST /api/edge/retry-failed). */
  readonly failedItems: number;
  readonly oldestPendingSeconds: number;
  /** Unix milliseconds, absent before the first upload. */
  readonly lastUploadAt?: number;
}

/** The filesystem of the edge's data directory (local copies, the queue, the index). */
export interface EdgeDisk {
  readonly usedBytes: number;
  readonly capacityBytes: number;
}

export interface EdgeMetrics {
  readonly up: Gauge;
  readonly uploadedBytes: Counter;
}

export function createEdgeMetrics(registry: Registry, read: () => EdgeMetricsSource, disk: () => Promise<EdgeDisk>): EdgeMetrics {
  const registers = [registry];
  const up = new Gauge({ name: 'yunying_edge_up', help: 'Whether the last heartbeat to the city got its reply in time (1) or not (0).', registers });
  up.set(0);
  new Gauge({
    name: 'yunying_edge_queue_depth', help: 'Objects waiting to be uploaded to the city (pending or waiting for a retry).', registers,
    collect() { this.set(read().queueDepth); },
  });
  new Gauge({
    name: 'yunying_edge_failed_items', help: 'Objects the city refused for good; they wait for an operator.', registers,
    collect() { this.set(read().failedItems); },
  });
  new Gauge({
    name: 'yunying_edge_oldest_pending_seconds', help: 'Age of the oldest object waiting to be uploaded (0 when none waits).', registers,
    collect() { this.set(read().oldestPendingSeconds); },
  });
  new Gauge({
    name: 'yunying_edge_last_upload_timestamp_seconds', help: 'Unix time of the last upload the city confirmed (0 before the first).', registers,
    collect() { this.set((read().lastUploadAt ?? 0) / 1000); },
  });
  new Gauge({
    name: 'yunying_edge_disk_used_bytes', help: 'Bytes used on the filesystem of the edge data directory (local copies, queue, index).', registers,
    async collect() { this.set((await disk()).usedBytes); },
  });
  new Gauge({
    name: 'yunying_edge_disk_capacity_bytes', help: 'Size of the filesystem of the edge data directory, in bytes.', registers,
    async collect() { this.set((await disk()).capacityBytes); },
  });
  const uploadedBytes = new Counter({ name: 'yunying_edge_uploaded_bytes_total', help: 'Bytes of uploads the city confirmed.', registers });
  return { up, uploadedBytes };
}
