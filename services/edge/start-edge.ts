// The hospital edge node (前置机, role `edge`): a local archive and C-STORE SCP for the hospital's PACS,
// the durable upload queue and its uploader, study-complete reports, the fetch server for the city, the
// heartbeat and metrics, GET /api/edge, and retention of the local copy. It calls nothing in the city at
// start: the PACS is served while the link is down, and the queue drains when it returns. See README.md.
import { statfs } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';
import type { Subscription } from 'nats';
import type { Registry } from 'prom-client';
import type { NodeArchive } from '../../lib/archive/node-archive.ts';
import { ConfigError } from '../../lib/config/load-config.ts';
import type { NodeRuntime } from '../../lib/config/resolve-node.ts';
import { renderSeriesThumbnail } from '../../lib/edge/render-series-thumbnail.ts';
import { reportStableStudies } from '../../lib/edge/report-studies.ts';
import { sweepRetention } from '../../lib/edge/sweep-retention.ts';
import { startUploadWorker, type UploadWorker } from '../../lib/edge/upload-worker.ts';
import { createEdgeMetrics } from '../../monitoring/edge-metrics.ts';
import { createRateLimiter } from '../../storage-nodes/rate-limiter.ts';
import { hospitalOf } from '../../topology/topology-queries.ts';
import { openEdgeArchive } from './edge-archive.ts';
import { readEdgeStatus, startHeartbeat } from './edge-health.ts';
import { openEdgeLink } from './edge-link.ts';
import { registerEdgeRoutes } from './edge-routes.ts';
import { reportStudyComplete, uploadRow, uploadThumbnail, type EdgeTransferDeps } from './edge-transfers.ts';
import { serveFetches } from './fetch-server.ts';

export interface EdgeLog {
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
}

export interface StartEdgeInput {
  readonly runtime: NodeRuntime;
  readonly version: string;
  /** The node's HTTP server, not listening yet (GET /api/edge is added to it). */
  readonly http: FastifyInstance;
  readonly registry: Registry;
  readonly adminToken: string;
  readonly log: EdgeLog;
  /** Starts the DIMSE SCP (the dimse service's server, composed by start-node.ts) on the edge's archive. */
  readonly serveDicom: (archive: NodeArchive) => Promise<{ readonly port: number; close(): Promise<void> }>;
  /** How often retention sweeps (default every 5 minutes). */
  readonly retentionSweepMs?: number;
}

export interface RunningEdge {
  readonly dicomPort: number;
  close(): Promise<void>;
}

const RETENTION_SWEEP_MS = 5 * 60_000;

/** Runs `task` every `ms`, never two at once; a failure is logged and the next run comes as planned. */
function every(ms: number, task: () => Promise<unknown>, onError: (error: Error) => void): () => void {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    task().catch(onError).finally(() => { running = false; });
  }, ms);
  return () => clearInterval(timer);
}

function edgeSettings(runtime: NodeRuntime) {
  const { node, topology, natsServers } = runtime;
  const hospital = hospitalOf(topology, node.id);
  if (!hospital) throw new ConfigError([`node ${node.id}: an edge node needs \`hospital\`, naming a hospital of the topology`]);
  if (!natsServers) throw new ConfigError([`YY_NATS_URL: the edge node ${node.id} needs NATS (its hospital's leaf nats-server)`]);
  return { hospital, natsServers };
}

export async function startEdge(input: StartEdgeInput): Promise<RunningEdge> {
  const { runtime, log } = input;
  const { node, config, topology } = runtime;
  const { hospital, natsServers } = edgeSettings(runtime);
  // The uploader starts after the archive it drains; until then there is no one to wake.
  const wake = { now: (): void => undefined };
  const edge = await openEdgeArchive({ runtime, registry: input.registry, onQueued: () => wake.now() });
  const link = openEdgeLink(natsServers, node.id, log);
  const transfers: EdgeTransferDeps = {
    platformId: topology.platform.id, hospitalId: hospital.id, edgeNodeId: node.id, storageMode: hospital.storageMode,
    catalog: edge.catalog, blobs: edge.blobs, idleTimeoutMs: config.requestTimeoutSeconds * 1000,
    ...(config.edgeUploadBytesPerSecond > 0 ? { limiter: createRateLimiter(config.edgeUploadBytesPerSecond) } : {}),
  };
  const connection = () => {
    const nc = link.connection();
    if (!nc) throw new Error('no connection to the city');
    return nc;
  };
  const metrics = createEdgeMetrics(input.registry, () => edge.queue.status(Date.now()), async () => {
    const fs = await statfs(runtime.dataDir);
    return { usedBytes: (fs.blocks - fs.bfree) * fs.bsize, capacityBytes: fs.blocks * fs.bsize };
  });
  const worker: UploadWorker = startUploadWorker({
    queue: edge.queue, concurrency: config.edgeUploadConcurrency, link, log,
    retryBaseMs: config.edgeRetryBaseSeconds * 1000, retryMaxMs: config.edgeRetryMaxSeconds * 1000,
    send: async (row) => uploadRow(connection(), transfers, row),
    onUploaded: (row) => metrics.uploadedBytes.inc(row.size),
  });
  wake.now = () => worker.wake();
  let fetches: Subscription | undefined;
  link.onConnected((nc) => {
    fetches = serveFetches(nc, { platformId: topology.platform.id, hospitalId: hospital.id, blobs: edge.blobs, idleTimeoutMs: config.edgeFetchTimeoutSeconds * 1000, log });
  });
  const status = () => readEdgeStatus({
    hospitalId: hospital.id, edgeNodeId: node.id, storageMode: hospital.storageMode, version: input.version, dataDir: runtime.dataDir, queue: edge.queue,
  });
  const heartbeat = startHeartbeat({ link, platformId: topology.platform.id, intervalMs: config.edgeHeartbeatSeconds * 1000, status, metrics, log });
  const stableMs = config.edgeStudyStableSeconds * 1000;
  const warn = (event: string) => (error: Error) => log.warn({ event, error: error.message });
  const stopReports = every(Math.min(stableMs / 2, 5000), async () => {
    if (!link.up()) return;
    await reportStableStudies({
      queue: edge.queue, stableMs,
      reportComplete: (study, sops) => reportStudyComplete(connection(), transfers, study, sops),
      ...(hospital.storageMode === 'distributed' ? {
        sendThumbnail: async (study: string, series: string) => {
          const jpeg = await renderSeriesThumbnail(edge.catalog, edge.blobs, study, series);
          if (jpeg) await uploadThumbnail(connection(), transfers, study, series, jpeg);
        },
      } : {}),
    });
  }, warn('edge.study-report.failed'));
  const stopRetention = hospital.storageMode === 'centralized'
    ? every(input.retentionSweepMs ?? RETENTION_SWEEP_MS, async () => {
      const removed = await sweepRetention({ queue: edge.queue, catalog: edge.catalog, blobs: edge.blobs, retainDays: config.edgeRetainDays });
      // Released needles are dead space in their volume files until a compaction rewrites them.
      if (removed > 0) await edge.blobs.compact();
    }, warn('edge.retention.failed'))
    : () => undefined;
  registerEdgeRoutes(input.http, { adminToken: input.adminToken, queue: edge.queue, status, wake: () => worker.wake() });

  const stopAll = async () => {
    heartbeat.stop();
    stopReports();
    stopRetention();
    await worker.stop();
    fetches?.unsubscribe();
    await link.close();
    await edge.close();
  };
  let dicom: { port: number; close(): Promise<void> };
  try {
    dicom = await input.serveDicom(edge.archive);
  } catch (error) {
    await stopAll();
    throw error;
  }
  log.info({ event: 'edge.started', hospital: hospital.id, storageMode: hospital.storageMode, dicomPort: dicom.port });
  return {
    dicomPort: dicom.port,
    async close() {
      await dicom.close();
      await stopAll();
    },
  };
}
