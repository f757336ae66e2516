// Values between the model's JS types and SQLite storage classes, and the page state (the last row's
// clustering key). Timestamps are INTEGER milliseconds and booleans 0/1, so ordering and equality in
// SQL match Cassandra's for every clustering type.
import type { SQLInputValue, SQLOutputValue } from 'node:sqlite';
import { IndexModelError } from '../../lib/index-model/index-model-error.ts';
import type { ColumnType, ColumnValue, Row, TableDef } from '../../lib/index-model/table-model.ts';

export function toSqlite(value: ColumnValue): SQLInputValue {
  if (value === null || typeof value === 'string' || typeof value === 'number') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (value instanceof Date) return value.getTime();
  return value;
}

export function fromSqlite(table: TableDef, column: string, type: ColumnType, value: SQLOutputValue): ColumnValue {
  if (value === null) return null;
  switch (type) {
    case 'text':
      if (typeof value === 'string') return value;
      break;
    case 'int':
    case 'bigint':
    case 'double':
      if (typeof value === 'number') return value;
      break;
    case 'boolean':
      if (typeof value === 'number') return value !== 0;
      break;
    case 'timestamp':
      if (typeof value === 'number') return new Date(value);
      break;
    case 'blob':
      if (value instanceof Uint8Array) return new Uint8Array(value);
      break;
  }
  throw new Error(`index-sqlite: table "${table.name}" column "${column}" holds a ${typeof value}, not ${type}`);
}

/** Every column of the table, null where unset, in the table's column order. */
export function rowFromSqlite(table: TableDef, record: Readonly<Record<string, SQLOutputValue>>): Row {
  const row: Record<string, ColumnValue> = {};
  for (const [column, type] of Object.entries(table.columns)) {
    row[column] = fromSqlite(table, column, type, record[column] ?? null);
  }
  return row;
}

/** Opaque token: base64url of a JSON array of the clustering values as strings (JSON has no Infinity). */
export function encodePageState(table: TableDef, record: Readonly<Record<string, SQLOutputValue>>): string {
  const parts = table.clusteringKey.map(({ column }) => {
    const value = record[column] ?? null;
    if (value instanceof Uint8Array) return Buffer.from(value).toString('base64url');
    if (typeof value === 'string' || typeof value === 'number') return String(value);
    throw new Error(`index-sqlite: table "${table.name}" clustering column "${column}" is null`);
  });
  return Buffer.from(JSON.stringify(parts)).toString('base64url');
}

/** The clustering key a page state names, as SQLite values; throws INVALID_PAGE_STATE when it is not ours. */
export function decodePageState(table: TableDef, token: string): SQLInputValue[] {
  let parts: unknown;
  try {
    parts = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw badPageState(table);
  }
  if (!Array.isArray(parts) || parts.length !== table.clusteringKey.length) throw badPageState(table);
  return table.clusteringKey.map(({ column }, index) => {
    const part: unknown = parts[index];
    const type = table.columns[column];
    if (typeof part !== 'string' || type === undefined) throw badPageState(table);
    return parsePart(table, type, part);
  });
}

function parsePart(table: TableDef, type: ColumnType, part: string): SQLInputValue {
  if (type === 'text') return part;
  if (type === 'blob') return Buffer.from(part, 'base64url');
  const value = Number(part);
  const ok = type === 'double' ? !Number.isNaN(value) : Number.isSafeInteger(value);
  if (!ok || part.trim() === '') throw badPageState(table);
  return value;
}

function badPageState(table: TableDef): IndexModelError {
  return new IndexModelError('INVALID_PAGE_STATE', `table "${table.name}": pageState was not issued by a scan of this table`);
}
