// What the city side of hospital edges works with: the archive (ingest path, catalog, the city's blob
// store), the engine of the edge tables (lib/edge/edge-schema.ts) and the topology, which says which
// edge node speaks for which hospital. A message from any other sender is refused.
import type { NodeArchive } from '../../lib/archive/node-archive.ts';
import type { IndexEngine } from '../../lib/index-model/index-engine.ts';
import type { Hospital, Topology } from '../../topology/topology-types.ts';

export interface GatewayDeps {
  readonly topology: Topology;
  readonly archive: NodeArchive;
  readonly engine: IndexEngine;
  readonly replaceDuplicates: boolean;
  /** Emits a Moleculer event (edge.studyComplete). */
  readonly emit: (event: string, payload: Readonly<Record<string, unknown>>) => void;
  readonly log: { info(...args: unknown[]): void; warn(...args: unknown[]): void };
}

/** The topology hospital whose edge node is `edgeNodeId`, or undefined. */
export function hospitalOfEdge(topology: Topology, hospitalId: string | undefined, edgeNodeId: string | undefined): Hospital | undefined {
  const hospital = topology.hospitals.find((h) => h.id === hospitalId);
  return hospital?.edgeNode !== undefined && hospital.edgeNode === edgeNodeId ? hospital : undefined;
}
