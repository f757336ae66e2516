// The tables a schema describes are the fold of its migrations, in order. Validation runs during the
// same fold, so a schema that passes here can be applied by either engine without surprises (every
// identifier is safe to quote, every key column exists, every step applies to the state before it).
import { IndexModelError } from './index-model-error.ts';
import { COLUMN_TYPES } from './table-model.ts';
import type { ColumnType, IndexSchema, Migration, MigrationStep, TableDef } from './table-model.ts';

/** Lower case, starts with a letter, at most 48 characters: valid unquoted in CQL and SQLite alike. */
export const IDENTIFIER = /^[a-z][a-z0-9_]{0,47}$/;

/** Tables the engines keep for themselves (migration log, migration lock). */
export const RESERVED_TABLE_NAMES: readonly string[] = ['schema_migrations', 'schema_lock'];

/** Cassandra's ceiling for a TTL (20 years); both engines enforce it. */
export const MAX_TTL_SECONDS = 630_720_000;

/** Throws an IndexModelError (code SCHEMA_INVALID) naming the migration, table and column at fault. */
export function validateSchema(schema: IndexSchema): void {
  foldMigrations(schema);
}

/** Tables as they stand after every migration of the schema (validated on the way). */
export function currentTables(schema: IndexSchema): ReadonlyMap<string, TableDef> {
  return foldMigrations(schema);
}

function foldMigrations(schema: IndexSchema): ReadonlyMap<string, TableDef> {
  if (!IDENTIFIER.test(schema.name)) {
    fail(`schema name "${schema.name}" must match ${String(IDENTIFIER)}`);
  }
  const tables = new Map<string, TableDef>();
  let previous = 0;
  for (const migration of schema.migrations) {
    const where = `schema "${schema.name}" migration ${String(migration.version)}`;
    checkVersion(migration, previous, where);
    previous = migration.version;
    for (const step of migration.steps) applyStep(tables, step, where);
  }
  return tables;
}

function checkVersion(migration: Migration, previous: number, where: string): void {
  if (!Number.isInteger(migration.version) || migration.version <= previous) {
    const expected = previous === 0 ? 'version 1' : `an integer above ${String(previous)}`;
    fail(`${where}: versions must increase strictly from 1, expected ${expected}`);
  }
  if (previous === 0 && migration.version !== 1) fail(`${where}: the first migration must be version 1`);
  if (migration.steps.length === 0) fail(`${where}: a migration needs at least one step`);
}

function applyStep(tables: Map<string, TableDef>, step: MigrationStep, where: string): void {
  switch (step.kind) {
    case 'createTable': {
      checkTableDef(step.table, where);
      if (tables.has(step.table.name)) fail(`${where}: table "${step.table.name}" already exists`);
      tables.set(step.table.name, freezeTable(step.table, step.table.columns));
      return;
    }
    case 'addColumn': {
      const table = tables.get(step.table);
      if (table === undefined) fail(`${where}: addColumn to missing table "${step.table}"`);
      checkColumn(step.table, step.column, step.type, where);
      if (Object.hasOwn(table.columns, step.column)) {
        fail(`${where}: table "${step.table}" already has column "${step.column}"`);
      }
      tables.set(step.table, freezeTable(table, { ...table.columns, [step.column]: step.type }));
      return;
    }
    case 'dropTable': {
      if (!tables.delete(step.table)) fail(`${where}: dropTable of missing table "${step.table}"`);
      return;
    }
  }
}

function checkTableDef(table: TableDef, where: string): void {
  if (!IDENTIFIER.test(table.name)) fail(`${where}: table name "${table.name}" must match ${String(IDENTIFIER)}`);
  if (RESERVED_TABLE_NAMES.includes(table.name)) fail(`${where}: table name "${table.name}" is reserved by the engines`);
  const columns = Object.entries(table.columns);
  if (columns.length === 0) fail(`${where}: table "${table.name}" has no columns`);
  for (const [column, type] of columns) checkColumn(table.name, column, type, where);
  if (table.partitionKey.length === 0) fail(`${where}: table "${table.name}" needs a partition key`);
  const keyColumns = [...table.partitionKey, ...table.clusteringKey.map((c) => c.column)];
  const seen = new Set<string>();
  for (const column of keyColumns) {
    if (!Object.hasOwn(table.columns, column)) {
      fail(`${where}: table "${table.name}": key column "${column}" is not in columns`);
    }
    if (seen.has(column)) fail(`${where}: table "${table.name}": key column "${column}" is listed twice`);
    seen.add(column);
  }
  for (const { column, order } of table.clusteringKey) {
    if (order !== 'asc' && order !== 'desc') {
      fail(`${where}: table "${table.name}": clustering column "${column}" has order "${String(order)}", expected asc or desc`);
    }
  }
  checkDefaultTtl(table, where);
}

function checkDefaultTtl(table: TableDef, where: string): void {
  const ttl = table.defaultTtlSeconds;
  if (ttl === undefined) return;
  if (!Number.isInteger(ttl) || ttl < 1 || ttl > MAX_TTL_SECONDS) {
    fail(`${where}: table "${table.name}": defaultTtlSeconds must be an integer from 1 to ${String(MAX_TTL_SECONDS)}`);
  }
}

function checkColumn(table: string, column: string, type: ColumnType, where: string): void {
  if (!IDENTIFIER.test(column)) {
    fail(`${where}: table "${table}": column name "${column}" must match ${String(IDENTIFIER)}`);
  }
  if (!(COLUMN_TYPES as readonly string[]).includes(type)) {
    fail(`${where}: table "${table}": column "${column}" has unknown type "${String(type)}"`);
  }
}

function freezeTable(table: TableDef, columns: TableDef['columns']): TableDef {
  return Object.freeze({
    ...table,
    columns: Object.freeze({ ...columns }),
    partitionKey: Object.freeze([...table.partitionKey]),
    clusteringKey: Object.freeze(table.clusteringKey.map((c) => Object.freeze({ ...c }))),
  });
}

function fail(message: string): never {
  throw new IndexModelError('SCHEMA_INVALID', `invalid index schema: ${message}`);
}
