// The platform's index schema. Migrations are appended, never edited once applied anywhere. Each part
// of the platform owns a range of versions: 1 here, 2-19 the archive (lib/archive/archive-schema.ts),
// 20-39 the storage cluster (lib/storage-model/storage-schema.ts), 40-59 hospital edges and remote
// sources (lib/edge/edge-schema.ts).
import type { IndexSchema, Migration } from './table-model.ts';
import { ARCHIVE_MIGRATIONS } from '../archive/archive-schema.ts';
import { STORAGE_MIGRATIONS } from '../storage-model/storage-schema.ts';
import { EDGE_MIGRATIONS } from '../edge/edge-schema.ts';

const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'platform_info: which platform (and level) an index store belongs to',
    steps: [
      {
        kind: 'createTable',
        // One row per scope ('platform'); the index service compares platform_id with its own
        // configuration and refuses to serve an index that belongs to another platform.
        table: {
          name: 'platform_info',
          columns: { scope: 'text', platform_id: 'text', level: 'text', created_at: 'timestamp' },
          partitionKey: ['scope'],
          clusteringKey: [],
        },
      },
    ],
  },
];

const ALL = [...MIGRATIONS, ...ARCHIVE_MIGRATIONS, ...STORAGE_MIGRATIONS, ...EDGE_MIGRATIONS].sort((a, b) => a.version - b.version);

export const PLATFORM_SCHEMA: IndexSchema = Object.freeze({ name: 'platform', migrations: Object.freeze(ALL) });
