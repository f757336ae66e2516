// The edge's health: its EdgeStatus (queue, last upload, disk of the data directory) and the heartbeat
// that carries it to the city every YY_EDGE_HEARTBEAT_SECONDS. yunying_edge_up follows the heartbeat:
// 1 while the last one got the city's reply within the interval, 0 otherwise.
import { statfs } from 'node:fs/promises';
import type { EdgeStatus } from '../../lib/edge/edge-protocol.ts';
import type { UploadQueue } from '../../lib/edge/upload-queue.ts';
import type { StorageMode } from '../../topology/topology-types.ts';
import type { EdgeMetrics } from '../../monitoring/edge-metrics.ts';
import type { EdgeLink } from './edge-link.ts';
import { requestControl } from './edge-transfers.ts';

export interface EdgeStatusDeps {
  readonly hospitalId: string;
  readonly edgeNodeId: string;
  readonly storageMode: StorageMode;
  readonly version: string;
  readonly dataDir: string;
  readonly queue: UploadQueue;
}

export async function readEdgeStatus(deps: EdgeStatusDeps): Promise<EdgeStatus> {
  const now = Date.now();
  const fs = await statfs(deps.dataDir);
  const queue = deps.queue.status(now);
  return {
    hospitalId: deps.hospitalId, edgeNodeId: deps.edgeNodeId, storageMode: deps.storageMode, version: deps.version,
    queueDepth: queue.queueDepth, oldestPendingSeconds: queue.oldestPendingSeconds, failedItems: queue.failedItems,
    ...(queue.lastUploadAt !== undefined ? { lastUploadAt: queue.lastUploadAt } : {}),
    uploadedBytesTotal: queue.uploadedBytesTotal,
    disk: { usedBytes: (fs.blocks - fs.bfree) * fs.bsize, freeBytes: fs.bavail * fs.bsize, capacityBytes: fs.blocks * fs.bsize },
    reportedAt: now,
  };
}

export interface HeartbeatDeps {
  readonly link: EdgeLink;
  readonly platformId: string;
  readonly intervalMs: number;
  readonly status: () => Promise<EdgeStatus>;
  readonly metrics: EdgeMetrics;
  readonly log: { info(...args: unknown[]): void; warn(...args: unknown[]): void };
}

export function startHeartbeat(deps: HeartbeatDeps): { stop(): void } {
  let up = false;
  const mark = (value: boolean, error?: string) => {
    deps.metrics.up.set(value ? 1 : 0);
    if (value !== up) {
      if (value) deps.log.info({ event: 'edge.heartbeat.up' });
      else deps.log.warn({ event: 'edge.heartbeat.lost', ...(error !== undefined ? { error } : {}) });
    }
    up = value;
  };
  const beat = async () => {
    const nc = deps.link.connection();
    if (!nc || !deps.link.up()) { mark(false, 'no connection'); return; }
    try {
      const reply = await requestControl(nc, deps.platformId, { type: 'heartbeat', status: await deps.status() }, deps.intervalMs);
      mark(reply.ok, reply.ok ? undefined : reply.error);
    } catch (error) {
      mark(false, (error as Error).message);
    }
  };
  let running = false;
  const tick = () => {
    if (running) return;
    running = true;
    void beat().finally(() => { running = false; });
  };
  const timer = setInterval(tick, deps.intervalMs);
  deps.link.onConnected(() => tick());
  return { stop: () => clearInterval(timer) };
}
