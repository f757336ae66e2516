// `storageIndex`, on nodes with the `index` role: the storage tables of the index engine (and only
// those), for storage nodes, the cluster blob store and the repair node, which own no engine.
import type { Context, ServiceSchema } from 'moleculer';
import type { IndexEngine, KeyValues, Mutation, ScanOptions } from '../../lib/index-model/index-engine.ts';
import { STORAGE_TABLES } from '../../lib/storage-model/storage-schema.ts';

function checkTable(table: string): void {
  if (!STORAGE_TABLES.includes(table)) throw new Error(`storageIndex serves the storage tables only, not ${table}`);
}

export function createStorageIndexService(engine: IndexEngine): ServiceSchema {
  return {
    name: 'storageIndex',
    // Announced only once the index service has migrated the schema: earlier calls would fail on
    // missing tables and trip the callers' circuit breakers.
    dependencies: ['index'],
    actions: {
      write: {
        async handler(ctx: Context<{ mutations: Mutation[] }>) {
          for (const m of ctx.params.mutations) checkTable(m.table);
          await engine.write(ctx.params.mutations);
          return null;
        },
      },
      get: {
        async handler(ctx: Context<{ table: string; key: KeyValues }>) {
          checkTable(ctx.params.table);
          return (await engine.get(ctx.params.table, ctx.params.key)) ?? null;
        },
      },
      scan: {
        async handler(ctx: Context<{ table: string; partition: KeyValues; options: ScanOptions }>) {
          checkTable(ctx.params.table);
          const page = await engine.scan(ctx.params.table, ctx.params.partition, ctx.params.options);
          return { rows: page.rows, pageState: page.pageState ?? null };
        },
      },
    },
  };
}
