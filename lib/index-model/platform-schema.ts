// The platform's index schema. Migrations are appended, never edited once applied anywhere: each issue
// that needs a table adds the next version here.
import type { IndexSchema, Migration } from './table-model.ts';

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

export const PLATFORM_SCHEMA: IndexSchema = Object.freeze({ name: 'platform', migrations: Object.freeze(MIGRATIONS) });
