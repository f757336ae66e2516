// CQL text for one TableDef. Identifiers come from a validated schema and keyspace name (lower-case
// IDENTIFIER), so double-quoting is enough; values are always bind markers of prepared statements.
// DDL has no bind markers in CQL: its only literals are validated numbers and data-center names.
import { createHash } from 'node:crypto';
import { columnType } from '../../lib/index-model/check-request.ts';
import type { CheckedScan } from '../../lib/index-model/check-request.ts';
import type { ColumnType, ColumnValue, TableDef } from '../../lib/index-model/table-model.ts';
import { toCql } from './cql-values.ts';

export interface CqlStatement {
  readonly query: string;
  readonly params: unknown[];
}

export function quote(identifier: string): string {
  return `"${identifier}"`;
}

export function qualified(keyspace: string, table: string): string {
  return `${quote(keyspace)}.${quote(table)}`;
}

export function createKeyspaceCql(keyspace: string, replication: Readonly<Record<string, number>>): string {
  const factors = Object.entries(replication).map(([dc, factor]) => `'${dc}': ${String(factor)}`);
  return `CREATE KEYSPACE IF NOT EXISTS ${quote(keyspace)} WITH replication = {'class': 'NetworkTopologyStrategy', ${factors.join(', ')}}`;
}

/** IF NOT EXISTS: a migrator that died between the DDL and its log entry can simply run again. */
export function createTableCql(keyspace: string, table: TableDef, fixedId?: string): string {
  const columns = Object.entries(table.columns).map(([column, type]) => `${quote(column)} ${type}`);
  const partition = `(${table.partitionKey.map(quote).join(', ')})`;
  const primaryKey = [partition, ...table.clusteringKey.map((c) => quote(c.column))].join(', ');
  const options: string[] = [];
  if (table.clusteringKey.length > 0) {
    options.push(`CLUSTERING ORDER BY (${table.clusteringKey.map((c) => `${quote(c.column)} ${c.order.toUpperCase()}`).join(', ')})`);
  }
  if (table.defaultTtlSeconds !== undefined) options.push(`default_time_to_live = ${String(table.defaultTtlSeconds)}`);
  if (fixedId !== undefined) options.push(`ID = ${fixedId}`);
  const withOptions = options.length === 0 ? '' : ` WITH ${options.join(' AND ')}`;
  return `CREATE TABLE IF NOT EXISTS ${qualified(keyspace, table.name)} (${columns.join(', ')}, PRIMARY KEY (${primaryKey}))${withOptions}`;
}

/**
 * A table id derived from the keyspace and table names: two nodes creating the table at the same
 * moment then create the same table instead of two that Cassandra 5.0 cannot reconcile.
 */
export function deterministicTableId(keyspace: string, table: string): string {
  const bytes = createHash('sha256').update(`yunying:${keyspace}.${table}`).digest().subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x40;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function addColumnCql(keyspace: string, table: string, column: string, type: ColumnType): string {
  return `ALTER TABLE ${qualified(keyspace, table)} ADD IF NOT EXISTS ${quote(column)} ${type}`;
}

export function dropTableCql(keyspace: string, table: string): string {
  return `DROP TABLE IF EXISTS ${qualified(keyspace, table)}`;
}

export interface InsertShape {
  readonly withTtl: boolean;
  readonly withTimestamp: boolean;
  readonly ifNotExists: boolean;
}

/** Bind order: the columns, then the TTL, then the timestamp (each when present). */
export function insertCql(keyspace: string, table: TableDef, columns: readonly string[], shape: InsertShape): string {
  const using = [...(shape.withTtl ? ['TTL ?'] : []), ...(shape.withTimestamp ? ['TIMESTAMP ?'] : [])];
  return `INSERT INTO ${qualified(keyspace, table.name)} (${columns.map(quote).join(', ')}) ` +
    `VALUES (${columns.map(() => '?').join(', ')})` +
    (shape.ifNotExists ? ' IF NOT EXISTS' : '') +
    (using.length === 0 ? '' : ` USING ${using.join(' AND ')}`);
}

function keyEquals(columns: readonly string[]): string {
  return columns.map((c) => `${quote(c)} = ?`).join(' AND ');
}

export function keyColumnNames(table: TableDef, clusteringCount: number): string[] {
  return [...table.partitionKey, ...table.clusteringKey.slice(0, clusteringCount).map((c) => c.column)];
}

/** Bind order: the timestamp (when present), then the partition key and `clusteringCount` clustering values. */
export function deleteCql(keyspace: string, table: TableDef, clusteringCount: number, withTimestamp: boolean): string {
  return `DELETE FROM ${qualified(keyspace, table.name)}${withTimestamp ? ' USING TIMESTAMP ?' : ''} ` +
    `WHERE ${keyEquals(keyColumnNames(table, clusteringCount))}`;
}

function selectList(table: TableDef): string {
  // Named columns, not *: prepared SELECT * keeps stale result metadata after ALTER TABLE (CASSANDRA-10786).
  return Object.keys(table.columns).map(quote).join(', ');
}

export function selectRowCql(keyspace: string, table: TableDef): string {
  return `SELECT ${selectList(table)} FROM ${qualified(keyspace, table.name)} ` +
    `WHERE ${keyEquals(keyColumnNames(table, table.clusteringKey.length))}`;
}

/** Bind values for the named columns, converted by each column's type. */
export function bindValues(table: TableDef, columns: readonly string[], values: readonly ColumnValue[]): unknown[] {
  return columns.map((column, i) => toCql(columnType(table, column), values[i] ?? null));
}

export function scanStatement(keyspace: string, scan: CheckedScan): CqlStatement {
  const { table } = scan;
  const fixed = keyColumnNames(table, scan.prefix.length);
  const where = [keyEquals(fixed)];
  const params = bindValues(table, fixed, [...scan.partition, ...scan.prefix]);
  const range = scan.range;
  if (range?.from !== undefined) {
    where.push(`${quote(range.column.column)} ${range.from.inclusive ? '>=' : '>'} ?`);
    params.push(toCql(range.type, range.from.value));
  }
  if (range?.to !== undefined) {
    where.push(`${quote(range.column.column)} ${range.to.inclusive ? '<=' : '<'} ?`);
    params.push(toCql(range.type, range.to.value));
  }
  return { query: `SELECT ${selectList(table)} FROM ${qualified(keyspace, table.name)} WHERE ${where.join(' AND ')}`, params };
}
