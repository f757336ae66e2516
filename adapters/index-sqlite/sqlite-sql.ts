// SQL text for one TableDef. Identifiers come from a validated schema (IDENTIFIER in current-tables.ts),
// so quoting them is enough; every value travels as a bound parameter. The hidden `_expires_at` column
// (epoch ms, NULL = never) cannot clash with a model column, which must start with a letter.
import type { SQLInputValue } from 'node:sqlite';
import type { CheckedScan } from '../../lib/index-model/check-request.ts';
import { keyColumns } from '../../lib/index-model/check-request.ts';
import type { ColumnType, TableDef } from '../../lib/index-model/table-model.ts';
import { toSqlite } from './sqlite-values.ts';

export const EXPIRES_AT = '_expires_at';

const SQL_TYPES: Readonly<Record<ColumnType, string>> = {
  text: 'TEXT', int: 'INTEGER', bigint: 'INTEGER', double: 'REAL', boolean: 'INTEGER', timestamp: 'INTEGER', blob: 'BLOB',
};

export interface SqlStatement {
  readonly sql: string;
  readonly params: readonly SQLInputValue[];
}

export function quote(identifier: string): string {
  return `"${identifier}"`;
}

const LIVE = `(${quote(EXPIRES_AT)} IS NULL OR ${quote(EXPIRES_AT)} > ?)`;

/** STRICT keeps SQLite from storing a value of another type; WITHOUT ROWID clusters rows by key. */
export function createTableSql(table: TableDef): string[] {
  const keys = new Set(keyColumns(table));
  const columns = Object.entries(table.columns).map(([column, type]) =>
    `${quote(column)} ${SQL_TYPES[type]}${keys.has(column) ? ' NOT NULL' : ''}`);
  const primaryKey = [
    ...table.partitionKey.map(quote),
    ...table.clusteringKey.map(({ column, order }) => `${quote(column)} ${order.toUpperCase()}`),
  ];
  return [
    `CREATE TABLE ${quote(table.name)} (${columns.join(', ')}, ${quote(EXPIRES_AT)} INTEGER, ` +
      `PRIMARY KEY (${primaryKey.join(', ')})) STRICT, WITHOUT ROWID`,
    // Partial: costs nothing for tables whose rows never expire.
    `CREATE INDEX ${quote(`_expires_${table.name}`)} ON ${quote(table.name)} (${quote(EXPIRES_AT)}) ` +
      `WHERE ${quote(EXPIRES_AT)} IS NOT NULL`,
  ];
}

export function addColumnSql(table: string, column: string, type: ColumnType): string {
  return `ALTER TABLE ${quote(table)} ADD COLUMN ${quote(column)} ${SQL_TYPES[type]}`;
}

export function dropTableSql(table: string): string {
  return `DROP TABLE ${quote(table)}`;
}

/** CQL INSERT semantics: columns not given keep their value, the row's expiry is replaced. */
export function upsertSql(table: TableDef, columns: readonly string[]): string {
  const keys = keyColumns(table);
  const updates = [...columns.filter((c) => !keys.includes(c)), EXPIRES_AT]
    .map((c) => `${quote(c)} = excluded.${quote(c)}`);
  return `${insertHead(table, columns)} ON CONFLICT (${keys.map(quote).join(', ')}) DO UPDATE SET ${updates.join(', ')}`;
}

export function insertIfAbsentSql(table: TableDef, columns: readonly string[]): string {
  return `${insertHead(table, columns)} ON CONFLICT DO NOTHING`;
}

function insertHead(table: TableDef, columns: readonly string[]): string {
  const names = [...columns, EXPIRES_AT];
  return `INSERT INTO ${quote(table.name)} (${names.map(quote).join(', ')}) VALUES (${names.map(() => '?').join(', ')})`;
}

function keyEquals(columns: readonly string[]): string {
  return columns.map((c) => `${quote(c)} = ?`).join(' AND ');
}

/** Params: the full key, then now. */
export function selectRowSql(table: TableDef): string {
  return `SELECT ${selectList(table)} FROM ${quote(table.name)} WHERE ${keyEquals(keyColumns(table))} AND ${LIVE}`;
}

/** Params: the full key, then now. Run before a write so an expired row lends it nothing. */
export function purgeRowSql(table: TableDef): string {
  return `DELETE FROM ${quote(table.name)} WHERE ${keyEquals(keyColumns(table))} AND ${quote(EXPIRES_AT)} <= ?`;
}

/** Params: now. */
export function purgeTableSql(table: TableDef): string {
  return `DELETE FROM ${quote(table.name)} WHERE ${quote(EXPIRES_AT)} IS NOT NULL AND ${quote(EXPIRES_AT)} <= ?`;
}

/** Params: the partition key and `clusteringCount` leading clustering values. */
export function deleteSql(table: TableDef, clusteringCount: number): string {
  const columns = [...table.partitionKey, ...table.clusteringKey.slice(0, clusteringCount).map((c) => c.column)];
  return `DELETE FROM ${quote(table.name)} WHERE ${keyEquals(columns)}`;
}

function selectList(table: TableDef): string {
  return Object.keys(table.columns).map(quote).join(', ');
}

/** One page: fetches limit + 1 rows so the engine knows whether another page follows. */
export function scanStatement(scan: CheckedScan, after: readonly SQLInputValue[] | undefined, now: number): SqlStatement {
  const { table } = scan;
  const fixed = [...table.partitionKey, ...table.clusteringKey.slice(0, scan.prefix.length).map((c) => c.column)];
  const where = [keyEquals(fixed)];
  const params: SQLInputValue[] = [...scan.partition, ...scan.prefix].map(toSqlite);
  if (scan.range?.from !== undefined) {
    where.push(`${quote(scan.range.column.column)} ${scan.range.from.inclusive ? '>=' : '>'} ?`);
    params.push(toSqlite(scan.range.from.value));
  }
  if (scan.range?.to !== undefined) {
    where.push(`${quote(scan.range.column.column)} ${scan.range.to.inclusive ? '<=' : '<'} ?`);
    params.push(toSqlite(scan.range.to.value));
  }
  if (after !== undefined) where.push(afterKey(table, scan.prefix.length, after, params));
  where.push(LIVE);
  params.push(now, scan.limit + 1);
  const order = table.clusteringKey.map(({ column, order: o }) => `${quote(column)} ${o.toUpperCase()}`);
  const orderBy = order.length === 0 ? '' : ` ORDER BY ${order.join(', ')}`;
  return { sql: `SELECT ${selectList(table)} FROM ${quote(table.name)} WHERE ${where.join(' AND ')}${orderBy} LIMIT ?`, params };
}

// Rows strictly after `key` in clustering order: the first column that differs decides, and it
// decides upwards for an ascending column, downwards for a descending one.
function afterKey(table: TableDef, fixedCount: number, key: readonly SQLInputValue[], params: SQLInputValue[]): string {
  const terms: string[] = [];
  for (let i = fixedCount; i < table.clusteringKey.length; i++) {
    const parts: string[] = [];
    for (let j = fixedCount; j <= i; j++) {
      const { column, order } = table.clusteringKey[j] as TableDef['clusteringKey'][number];
      parts.push(`${quote(column)} ${j < i ? '=' : order === 'asc' ? '>' : '<'} ?`);
      params.push(key[j] ?? null);
    }
    terms.push(`(${parts.join(' AND ')})`);
  }
  return terms.length === 0 ? '0' : `(${terms.join(' OR ')})`;
}
