// Checks every request against the current tables before an engine sees it, and hands the engine the
// values in key order. Both engines call these, so they refuse the same requests with the same message
// (SQLite would happily accept much that Cassandra rejects, e.g. a range on a non-clustering column).
import { MAX_TTL_SECONDS } from './current-tables.ts';
import { checkValue, isEmptyKeyValue } from './check-value.ts';
import { IndexModelError } from './index-model-error.ts';
import type { Bound, KeyValues, Mutation, ScanOptions } from './index-engine.ts';
import type { ClusteringColumn, ColumnType, ColumnValue, Row, TableDef } from './table-model.ts';

export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 10_000;
/** Cassandra fails logged batches above 50 KiB by default; a count cap catches runaway batches early. */
export const MAX_MUTATIONS_PER_WRITE = 100;

export interface CheckedKey {
  readonly table: TableDef;
  readonly partition: readonly ColumnValue[];
  /** A prefix of the clustering columns (all of them for a row key). */
  readonly clustering: readonly ColumnValue[];
}

export interface CheckedPut {
  readonly table: TableDef;
  /** Given columns, in the table's column order (stable statement text). */
  readonly columns: readonly string[];
  readonly values: readonly ColumnValue[];
  /** As given: undefined lets the table default apply, 0 means never expire. */
  readonly ttlSeconds?: number;
  /** The TTL that will apply: the given one, else the table default, else 0 (never). */
  readonly effectiveTtlSeconds: number;
}

export interface CheckedRange {
  readonly column: ClusteringColumn;
  readonly type: ColumnType;
  readonly from?: Bound;
  readonly to?: Bound;
}

export interface CheckedScan {
  readonly table: TableDef;
  readonly partition: readonly ColumnValue[];
  readonly prefix: readonly ColumnValue[];
  readonly range?: CheckedRange;
  readonly limit: number;
  readonly pageState?: string;
}

export type CheckedMutation =
  | { readonly kind: 'put'; readonly put: CheckedPut }
  | { readonly kind: 'delete'; readonly key: CheckedKey };

export function tableFor(tables: ReadonlyMap<string, TableDef>, name: string): TableDef {
  const table = tables.get(name);
  if (table === undefined) throw new IndexModelError('UNKNOWN_TABLE', `unknown table "${name}"`);
  return table;
}

export function checkPut(table: TableDef, row: Row, ttlSeconds: number | undefined): CheckedPut {
  for (const column of Object.keys(row)) columnType(table, column);
  checkKey(table, pickKey(table, row), 'row');
  const columns: string[] = [];
  const values: ColumnValue[] = [];
  for (const [column, type] of Object.entries(table.columns)) {
    // Absent and undefined both mean "not given" (the driver's useUndefinedAsUnset); null clears.
    const value = ownValue(row, column);
    if (value === undefined) continue;
    if (value !== null) checkValue(table.name, column, type, value);
    columns.push(column);
    values.push(value);
  }
  const effectiveTtlSeconds = checkTtl(table, ttlSeconds);
  if (effectiveTtlSeconds > 0) requireWholeRow(table, columns);
  return { table, columns, values, ...(ttlSeconds === undefined ? {} : { ttlSeconds }), effectiveTtlSeconds };
}

function pickKey(table: TableDef, row: Row): KeyValues {
  const key: Record<string, ColumnValue> = {};
  for (const column of keyColumns(table)) {
    const value = ownValue(row, column);
    if (value !== undefined) key[column] = value;
  }
  return key;
}

function checkTtl(table: TableDef, ttlSeconds: number | undefined): number {
  if (ttlSeconds !== undefined && (!Number.isInteger(ttlSeconds) || ttlSeconds < 0 || ttlSeconds > MAX_TTL_SECONDS)) {
    throw new IndexModelError('INVALID_REQUEST', `table "${table.name}": ttlSeconds must be an integer from 0 to ${String(MAX_TTL_SECONDS)}`);
  }
  return ttlSeconds ?? table.defaultTtlSeconds ?? 0;
}

// Cassandra expires cells, SQLite expires rows: they agree only when an expiring write names every column.
function requireWholeRow(table: TableDef, given: readonly string[]): void {
  const missing = Object.keys(table.columns).filter((column) => !given.includes(column));
  if (missing.length > 0) {
    throw new IndexModelError('INVALID_REQUEST',
      `table "${table.name}": a write that expires must give every column (null where empty); missing ${missing.map((c) => `"${c}"`).join(', ')}`);
  }
}

/** A row key ('row': every key column) or a delete key ('prefix': partition plus a clustering prefix). */
export function checkKey(table: TableDef, key: KeyValues, scope: 'row' | 'prefix'): CheckedKey {
  for (const column of Object.keys(key)) {
    columnType(table, column);
    if (!keyColumns(table).includes(column)) {
      throw new IndexModelError('INVALID_REQUEST', `table "${table.name}": column "${column}" is not a key column`);
    }
  }
  const partition = table.partitionKey.map((column) => keyValue(table, key, column));
  const clustering: ColumnValue[] = [];
  for (const { column } of table.clusteringKey) {
    if (!Object.hasOwn(key, column)) break;
    clustering.push(keyValue(table, key, column));
  }
  const gap = table.clusteringKey.slice(clustering.length).find(({ column }) => Object.hasOwn(key, column));
  if (scope === 'row' || gap !== undefined) {
    const missing = table.clusteringKey[clustering.length];
    if (missing !== undefined) throw missingKey(table, missing.column);
  }
  return { table, partition, clustering };
}

function keyValue(table: TableDef, key: KeyValues, column: string): ColumnValue {
  const value = ownValue(key, column);
  if (value === undefined) throw missingKey(table, column);
  checkValue(table.name, column, columnType(table, column), value);
  if (table.partitionKey.includes(column) && isEmptyKeyValue(value)) {
    throw new IndexModelError('INVALID_VALUE', `table "${table.name}" partition key column "${column}" may not be empty`);
  }
  return value;
}

function missingKey(table: TableDef, column: string): IndexModelError {
  return new IndexModelError('MISSING_KEY_COLUMN', `table "${table.name}": missing key column "${column}"`);
}

export function checkScan(table: TableDef, partition: KeyValues, options: ScanOptions = {}): CheckedScan {
  const extra = Object.keys(partition).find((column) => !table.partitionKey.includes(column));
  if (extra !== undefined) {
    columnType(table, extra);
    throw new IndexModelError('INVALID_REQUEST', `table "${table.name}": scan takes the partition key only, not "${extra}"`);
  }
  const values = table.partitionKey.map((column) => keyValue(table, partition, column));
  const prefix = checkPrefix(table, options.prefix ?? []);
  const range = options.range === undefined ? undefined : checkRange(table, prefix.length, options.range);
  const limit = options.limit ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
    throw new IndexModelError('INVALID_REQUEST', `table "${table.name}": limit must be an integer from 1 to ${String(MAX_PAGE_SIZE)}`);
  }
  return {
    table, partition: values, prefix, limit,
    ...(range === undefined ? {} : { range }),
    ...(options.pageState === undefined ? {} : { pageState: options.pageState }),
  };
}

function checkPrefix(table: TableDef, prefix: readonly ColumnValue[]): ColumnValue[] {
  if (prefix.length > table.clusteringKey.length) {
    throw new IndexModelError('INVALID_REQUEST', `table "${table.name}": prefix has ${String(prefix.length)} values but the clustering key only ${String(table.clusteringKey.length)} columns`);
  }
  return prefix.map((value, index) => {
    const { column } = table.clusteringKey[index] as ClusteringColumn;
    checkValue(table.name, column, columnType(table, column), value);
    return value;
  });
}

function checkRange(table: TableDef, prefixLength: number, range: NonNullable<ScanOptions['range']>): CheckedRange | undefined {
  const column = table.clusteringKey[prefixLength];
  if (column === undefined) {
    throw new IndexModelError('INVALID_REQUEST', `table "${table.name}": a range needs a clustering column after the prefix`);
  }
  const type = columnType(table, column.column);
  for (const bound of [range.from, range.to]) {
    if (bound !== undefined) checkValue(table.name, column.column, type, bound.value);
  }
  if (range.from === undefined && range.to === undefined) return undefined;
  return { column, type, ...(range.from === undefined ? {} : { from: range.from }), ...(range.to === undefined ? {} : { to: range.to }) };
}

export function checkWrite(tables: ReadonlyMap<string, TableDef>, mutations: readonly Mutation[]): CheckedMutation[] {
  if (mutations.length > MAX_MUTATIONS_PER_WRITE) {
    throw new IndexModelError('INVALID_REQUEST', `a write takes at most ${String(MAX_MUTATIONS_PER_WRITE)} mutations, got ${String(mutations.length)}`);
  }
  return mutations.map((mutation): CheckedMutation => {
    const table = tableFor(tables, mutation.table);
    switch (mutation.kind) {
      case 'put':
        return { kind: 'put', put: checkPut(table, mutation.row, mutation.ttlSeconds) };
      case 'delete':
        return { kind: 'delete', key: checkKey(table, mutation.key, 'prefix') };
    }
  });
}

// A column may be called e.g. "constructor": never read a value from the prototype chain.
function ownValue(values: Readonly<Record<string, ColumnValue>>, column: string): ColumnValue | undefined {
  return Object.hasOwn(values, column) ? values[column] : undefined;
}

export function columnType(table: TableDef, column: string): ColumnType {
  const type = Object.hasOwn(table.columns, column) ? table.columns[column] : undefined;
  if (type === undefined) {
    throw new IndexModelError('UNKNOWN_COLUMN', `table "${table.name}": unknown column "${column}"`);
  }
  return type;
}

export function keyColumns(table: TableDef): readonly string[] {
  return [...table.partitionKey, ...table.clusteringKey.map((c) => c.column)];
}
