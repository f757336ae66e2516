// The city's tables for hospital edges and remote sources (versions 40-59 of the platform schema).
// Appended, never edited. Query-first:
// - `blob_locations`: "where outside the city's storage are this blob's bytes" (the retrieval router's
//   read path for distributed-storage hospitals and pass-through sources; one partition per blob).
// - `edge_status`: the latest report of every edge (one small partition), for /api/edges on any api node.
// - `study_arrivals`: a study an edge reported complete and the city verified (by study, then hospital).
// - `series_thumbnails`: thumbnails an edge rendered for its series, kept as city blobs, so the city shows
//   a distributed-storage series without asking the hospital.
import type { Migration } from '../index-model/table-model.ts';

export const EDGE_MIGRATIONS: readonly Migration[] = [
  {
    version: 40,
    description: 'hospital edges: blob locations outside the city, edge status, study arrivals, series thumbnails',
    steps: [
      {
        kind: 'createTable',
        table: {
          name: 'blob_locations',
          // source: 'edge:<hospitalId>' or 'remote:<hospitalId>'; kind: 'edge' | 'remote'.
          columns: {
            sha256: 'text', source: 'text', kind: 'text', hospital_id: 'text', node_id: 'text',
            study_uid: 'text', series_uid: 'text', sop_uid: 'text', size: 'bigint', recorded_at: 'timestamp',
          },
          partitionKey: ['sha256'],
          clusteringKey: [{ column: 'source', order: 'asc' }],
        },
      },
      {
        kind: 'createTable',
        table: {
          name: 'edge_status',
          // status: EdgeStatus (lib/edge/edge-protocol.ts) as JSON; received_at on the city's clock.
          columns: { scope: 'text', hospital_id: 'text', node_id: 'text', status: 'text', received_at: 'timestamp' },
          partitionKey: ['scope'],
          clusteringKey: [{ column: 'hospital_id', order: 'asc' }],
        },
      },
      {
        kind: 'createTable',
        table: {
          name: 'study_arrivals',
          columns: { study_uid: 'text', hospital_id: 'text', node_id: 'text', instance_count: 'int', completed_at: 'timestamp' },
          partitionKey: ['study_uid'],
          clusteringKey: [{ column: 'hospital_id', order: 'asc' }],
        },
      },
      {
        kind: 'createTable',
        table: {
          name: 'series_thumbnails',
          columns: { study_uid: 'text', series_uid: 'text', sha256: 'text', size: 'bigint', media_type: 'text', recorded_at: 'timestamp' },
          partitionKey: ['study_uid'],
          clusteringKey: [{ column: 'series_uid', order: 'asc' }],
        },
      },
    ],
  },
];

/** The single partition of edge_status. */
export const EDGE_STATUS_SCOPE = 'edges';

export const edgeSource = (hospitalId: string): string => `edge:${hospitalId}`;
export const remoteSource = (hospitalId: string): string => `remote:${hospitalId}`;
