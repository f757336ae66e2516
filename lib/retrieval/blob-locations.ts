// Where outside the city's storage a blob's bytes are: the `blob_locations` table (lib/edge/edge-schema.ts).
// The edge gateway writes a row when a distributed-storage hospital uploads an instance's index (the
// pixels stay at its edge); pass-through sources write 'remote' rows. The retrieval router reads them.
import type { IndexEngine } from '../index-model/index-engine.ts';
import type { Row } from '../index-model/table-model.ts';

export const BLOB_LOCATIONS_TABLE = 'blob_locations';

export type LocationKind = 'edge' | 'remote';

export interface BlobLocation {
  readonly sha256: string;
  /** 'edge:<hospitalId>' or 'remote:<hospitalId>' (edgeSource / remoteSource). */
  readonly source: string;
  readonly kind: LocationKind;
  readonly hospitalId: string;
  /** The edge node (Moleculer nodeID), or the remote source's id. */
  readonly nodeId: string;
  readonly studyInstanceUid: string;
  readonly seriesInstanceUid: string;
  readonly sopInstanceUid: string;
  readonly size: number;
}

export function blobLocationRow(location: BlobLocation, recordedAt: Date): Row {
  return {
    sha256: location.sha256, source: location.source, kind: location.kind, hospital_id: location.hospitalId,
    node_id: location.nodeId, study_uid: location.studyInstanceUid, series_uid: location.seriesInstanceUid,
    sop_uid: location.sopInstanceUid, size: location.size, recorded_at: recordedAt,
  };
}

function text(row: Row, column: string): string {
  const value = row[column];
  return typeof value === 'string' ? value : '';
}

function toLocation(row: Row): BlobLocation | undefined {
  const kind = text(row, 'kind');
  if (kind !== 'edge' && kind !== 'remote') return undefined;
  return {
    sha256: text(row, 'sha256'), source: text(row, 'source'), kind, hospitalId: text(row, 'hospital_id'),
    nodeId: text(row, 'node_id'), studyInstanceUid: text(row, 'study_uid'), seriesInstanceUid: text(row, 'series_uid'),
    sopInstanceUid: text(row, 'sop_uid'), size: typeof row.size === 'number' ? row.size : 0,
  };
}

/** The places a blob's bytes are kept outside the city, edges before remote sources (clustering order). */
export async function readBlobLocations(engine: IndexEngine, sha256: string): Promise<BlobLocation[]> {
  const page = await engine.scan(BLOB_LOCATIONS_TABLE, { sha256 }, { limit: 100 });
  return page.rows.map(toLocation).filter((l): l is BlobLocation => l !== undefined);
}
