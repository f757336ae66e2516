// One description of the index tables, Cassandra style (partition key, clustering key, typed
// columns). Both engines create their schema from it: the SQLite adapter maps it to one table with a
// composite primary key, the Cassandra adapter to CQL. Tables are query-first: one table per access
// path, no secondary lookups, no ALLOW FILTERING.

/** Column types, named as in CQL. JS values: text→string, int/bigint/double→number (bigint is kept
 * within Number.MAX_SAFE_INTEGER), boolean→boolean, timestamp→Date, blob→Uint8Array. */
export const COLUMN_TYPES = ['text', 'int', 'bigint', 'double', 'boolean', 'timestamp', 'blob'] as const;
export type ColumnType = (typeof COLUMN_TYPES)[number];

export type ColumnValue = string | number | boolean | Date | Uint8Array | null;
/** A row as the engines read and write it: column name → value. Missing columns read as absent. */
export type Row = Readonly<Record<string, ColumnValue>>;

export interface ClusteringColumn {
  readonly column: string;
  readonly order: 'asc' | 'desc';
}

export interface TableDef {
  readonly name: string;
  readonly columns: Readonly<Record<string, ColumnType>>;
  /** Columns that choose the partition (all required on every read and write). */
  readonly partitionKey: readonly string[];
  /** Columns that order rows inside a partition (all required on writes). */
  readonly clusteringKey: readonly ClusteringColumn[];
  /** Rows expire after this many seconds unless a write says otherwise. */
  readonly defaultTtlSeconds?: number;
}

export type MigrationStep =
  | { readonly kind: 'createTable'; readonly table: TableDef }
  | { readonly kind: 'addColumn'; readonly table: string; readonly column: string; readonly type: ColumnType }
  | { readonly kind: 'dropTable'; readonly table: string };

export interface Migration {
  /** Strictly increasing from 1; an applied version is never edited, only followed. */
  readonly version: number;
  readonly description: string;
  readonly steps: readonly MigrationStep[];
}

export interface IndexSchema {
  /** Short name used in engine-level names (SQLite file, Cassandra keyspace suffix). */
  readonly name: string;
  readonly migrations: readonly Migration[];
}
