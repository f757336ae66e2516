// The index engine port. Small on purpose (cf. Orthanc's storage area, Kysely's dialect): every
// adapter (adapters/index-sqlite, adapters/index-cassandra) implements exactly this and passes the
// one contract suite in test/contract/.
import type { ColumnValue, IndexSchema, Row, TableDef } from './table-model.ts';

/** Values for the partition key columns, and optionally a prefix of the clustering columns. */
export type KeyValues = Readonly<Record<string, ColumnValue>>;

export interface Bound {
  readonly value: ColumnValue;
  readonly inclusive: boolean;
}

export interface ScanOptions {
  /** Equality on a prefix of the clustering columns, in clustering order. */
  readonly prefix?: readonly ColumnValue[];
  /** A range on the clustering column that follows the prefix. */
  readonly range?: { readonly from?: Bound; readonly to?: Bound };
  /** Page size; default 100, at most 10,000. */
  readonly limit?: number;
  /** Opaque token from a previous page. */
  readonly pageState?: string;
}

export interface Page {
  readonly rows: readonly Row[];
  /** Present when more rows may follow. */
  readonly pageState?: string;
}

export type Mutation =
  | { readonly kind: 'put'; readonly table: string; readonly row: Row; readonly ttlSeconds?: number }
  /** Delete one row (full key), a clustering prefix, or a whole partition (partition key only). */
  | { readonly kind: 'delete'; readonly table: string; readonly key: KeyValues };

export interface ConditionalResult {
  readonly applied: boolean;
  /** When not applied: the row that was already there. */
  readonly existing?: Row;
}

export interface MigrationReport {
  readonly applied: readonly number[];
  readonly current: number;
}

export interface EngineHealth {
  readonly engine: 'sqlite' | 'cassandra';
  readonly ok: boolean;
  readonly latencySeconds: number;
  /** Engine version (SQLite library, Cassandra release). */
  readonly version?: string;
  readonly error?: string;
}

export interface IndexEngine {
  readonly kind: 'sqlite' | 'cassandra';
  /** Bring the schema to the newest migration. Safe to call from several nodes at once. */
  migrate(): Promise<MigrationReport>;
  /** Upserts and deletes, applied atomically (SQLite transaction, Cassandra logged batch). */
  write(mutations: readonly Mutation[]): Promise<void>;
  /** Insert only if no row has this primary key (SQLite ON CONFLICT, Cassandra LWT). */
  insertIfNotExists(table: string, row: Row, ttlSeconds?: number): Promise<ConditionalResult>;
  /** One row by its full primary key. */
  get(table: string, key: KeyValues): Promise<Row | undefined>;
  /** Rows of one partition in clustering order, optionally narrowed and paged. */
  scan(table: string, partition: KeyValues, options?: ScanOptions): Promise<Page>;
  health(): Promise<EngineHealth>;
  close(): Promise<void>;
}

export interface EngineContext {
  readonly schema: IndexSchema;
  /** Tables as they stand after every migration (see currentTables). */
  readonly tables: ReadonlyMap<string, TableDef>;
}
