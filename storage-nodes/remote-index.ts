// The storage tables of the index, reached from nodes that do not own the index engine: every call goes
// to the `storageIndex` service on an index node (services/storage/storage-index.service.ts).
import type { IndexAccess } from '../lib/storage-model/blob-index.ts';
import type { KeyValues, Mutation, Page, ScanOptions } from '../lib/index-model/index-engine.ts';
import type { Row } from '../lib/index-model/table-model.ts';

export type CallAction = <T>(action: string, params: Record<string, unknown>) => Promise<T>;

export function createRemoteIndex(call: CallAction): IndexAccess {
  return {
    async write(mutations: readonly Mutation[]): Promise<void> {
      await call<null>('storageIndex.write', { mutations });
    },
    async get(table: string, key: KeyValues): Promise<Row | undefined> {
      return (await call<Row | null>('storageIndex.get', { table, key })) ?? undefined;
    },
    async scan(table: string, partition: KeyValues, options?: ScanOptions): Promise<Page> {
      const page = await call<{ rows: Row[]; pageState?: string | null }>('storageIndex.scan', { table, partition, options: options ?? {} });
      return { rows: page.rows, ...(page.pageState ? { pageState: page.pageState } : {}) };
    },
  };
}
