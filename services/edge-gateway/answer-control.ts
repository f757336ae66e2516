// The city's answers to an edge's control requests (lib/edge/edge-protocol.ts): a heartbeat is kept as
// the edge's latest status (edge_status, read by GET /api/edges); "study complete" is checked against
// the catalog, recorded in study_arrivals and announced as the event edge.studyComplete (UIDs and a
// count only, no patient data), or answered with the instances the city does not index.
import { EDGE_STATUS_SCOPE } from '../../lib/edge/edge-schema.ts';
import type { EdgeControlReply, EdgeControlRequest, EdgeStatus } from '../../lib/edge/edge-protocol.ts';
import { hospitalOfEdge, type GatewayDeps } from './gateway-deps.ts';

export const STUDY_COMPLETE_EVENT = 'edge.studyComplete';

async function recordHeartbeat(deps: GatewayDeps, status: EdgeStatus): Promise<EdgeControlReply> {
  if (!hospitalOfEdge(deps.topology, status.hospitalId, status.edgeNodeId)) return { ok: false, error: `node ${status.edgeNodeId} is not the edge of hospital ${status.hospitalId}` };
  await deps.engine.write([{
    kind: 'put', table: 'edge_status',
    row: { scope: EDGE_STATUS_SCOPE, hospital_id: status.hospitalId, node_id: status.edgeNodeId, status: JSON.stringify(status), received_at: new Date() },
  }]);
  return { ok: true, type: 'heartbeat' };
}

async function checkStudy(deps: GatewayDeps, request: EdgeControlRequest & { type: 'study-complete' }): Promise<EdgeControlReply> {
  const { hospitalId, edgeNodeId, studyInstanceUid, sopInstanceUids } = request;
  if (!hospitalOfEdge(deps.topology, hospitalId, edgeNodeId)) return { ok: false, error: `node ${edgeNodeId} is not the edge of hospital ${hospitalId}` };
  const indexed = new Set((await deps.archive.catalog.listInstances(studyInstanceUid)).map((r) => r.sopInstanceUid));
  const missing = sopInstanceUids.filter((uid) => !indexed.has(uid));
  if (missing.length > 0) return { ok: true, type: 'study-complete', complete: false, missing };
  await deps.engine.write([{
    kind: 'put', table: 'study_arrivals',
    row: { study_uid: studyInstanceUid, hospital_id: hospitalId, node_id: edgeNodeId, instance_count: sopInstanceUids.length, completed_at: new Date() },
  }]);
  deps.emit(STUDY_COMPLETE_EVENT, { hospitalId, studyInstanceUid, instanceCount: sopInstanceUids.length });
  deps.log.info({ event: 'edge.studyComplete', hospitalId, studyInstanceUid, instanceCount: sopInstanceUids.length });
  return { ok: true, type: 'study-complete', complete: true, missing: [] };
}

export async function answerControl(deps: GatewayDeps, request: EdgeControlRequest): Promise<EdgeControlReply> {
  switch (request.type) {
    case 'heartbeat': return recordHeartbeat(deps, request.status);
    case 'study-complete': return checkStudy(deps, request);
  }
}
