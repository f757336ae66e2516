// GET /api/edges on api nodes (behind the bearer token like every /api route): every hospital of the
// topology that has an edge, its storage mode, the edge's last report (lib/edge/edge-protocol.ts
// EdgeStatus) and whether it is online: reported within three heartbeat intervals, by the city's clock.
import type { FastifyInstance } from 'fastify';
import { EDGE_STATUS_SCOPE } from '../../lib/edge/edge-schema.ts';
import type { EdgeStatus } from '../../lib/edge/edge-protocol.ts';
import type { IndexEngine } from '../../lib/index-model/index-engine.ts';
import type { Row } from '../../lib/index-model/table-model.ts';
import type { StorageMode, Topology } from '../../topology/topology-types.ts';

export interface EdgeView {
  readonly hospitalId: string;
  readonly hospitalName: string;
  readonly storageMode: StorageMode;
  readonly edgeNode: string;
  readonly online: boolean;
  /** Absent before the first report. */
  readonly secondsSinceReport?: number;
  readonly receivedAt?: string;
  readonly status?: EdgeStatus;
}

function parseStatus(row: Row | undefined): EdgeStatus | undefined {
  if (typeof row?.status !== 'string') return undefined;
  try {
    return JSON.parse(row.status) as EdgeStatus;
  } catch {
    return undefined;
  }
}

export async function listEdges(topology: Topology, engine: IndexEngine, heartbeatSeconds: number, now = Date.now()): Promise<EdgeView[]> {
  const page = await engine.scan('edge_status', { scope: EDGE_STATUS_SCOPE }, { limit: 10_000 });
  const rows = new Map(page.rows.map((r) => [String(r.hospital_id), r]));
  return topology.hospitals.filter((h) => h.edgeNode !== undefined).map((h) => {
    const row = rows.get(h.id);
    const received = row?.received_at instanceof Date ? row.received_at : undefined;
    const status = row?.node_id === h.edgeNode ? parseStatus(row) : undefined;
    const seconds = received && status ? Math.max(0, (now - received.getTime()) / 1000) : undefined;
    return {
      hospitalId: h.id, hospitalName: h.name, storageMode: h.storageMode, edgeNode: h.edgeNode ?? '',
      online: seconds !== undefined && seconds <= 3 * heartbeatSeconds,
      ...(seconds !== undefined && received && status ? { secondsSinceReport: Math.round(seconds * 10) / 10, receivedAt: received.toISOString(), status } : {}),
    };
  });
}

export function registerEdgesRoute(app: FastifyInstance, topology: Topology, engine: IndexEngine, heartbeatSeconds: number): void {
  app.get('/api/edges', async () => ({ edges: await listEdges(topology, engine, heartbeatSeconds) }));
}
