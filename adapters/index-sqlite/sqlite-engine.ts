// The embedded index engine: the Cassandra-style model on one SQLite file (node:sqlite, no native
// build). Requests are checked by lib/index-model first, so this file only maps them to SQL.
import { performance } from 'node:perf_hooks';
import type { SQLInputValue } from 'node:sqlite';
import { checkKey, checkPut, checkScan, checkWrite, tableFor } from '../../lib/index-model/check-request.ts';
import type { CheckedKey, CheckedMutation, CheckedPut } from '../../lib/index-model/check-request.ts';
import { currentTables } from '../../lib/index-model/current-tables.ts';
import type { ConditionalResult, EngineHealth, IndexEngine, KeyValues, Page, ScanOptions } from '../../lib/index-model/index-engine.ts';
import type { IndexSchema, Row, TableDef } from '../../lib/index-model/table-model.ts';
import { createGroupCommit, type GroupCommit } from './group-commit.ts';
import { openSqliteDb } from './sqlite-db.ts';
import type { SqliteDb } from './sqlite-db.ts';
import { migrateSqlite } from './sqlite-migrate.ts';
import {
  deleteSql, insertIfAbsentSql, purgeRowSql, purgeTableSql, scanStatement, selectRowSql, upsertSql,
} from './sqlite-sql.ts';
import { decodePageState, encodePageState, rowFromSqlite, toSqlite } from './sqlite-values.ts';

export interface SqliteEngineOptions {
  /** Path of the database file, or ':memory:'. */
  readonly file: string;
  readonly schema: IndexSchema;
}

/** Expired rows are filtered on every read; a table is swept for them at most this often, on a write. */
const PURGE_INTERVAL_MS = 60_000;

interface EngineState {
  readonly db: SqliteDb;
  readonly tables: ReadonlyMap<string, TableDef>;
  readonly lastPurge: Map<string, number>;
}

export function createSqliteEngine(options: SqliteEngineOptions): IndexEngine {
  const tables = currentTables(options.schema);
  const state: EngineState = { db: openSqliteDb(options.file), tables, lastPurge: new Map() };
  // Writes share transactions (group-commit.ts); a request the model refuses is refused before queueing.
  const group = createGroupCommit(state.db);
  return {
    kind: 'sqlite',
    migrate: () => settle(() => migrateSqlite(state.db, options.schema)),
    write: (mutations) => queue(group, () => checkWrite(tables, mutations), (checked) => writeMutations(state, checked)),
    insertIfNotExists: (table, row, ttlSeconds) =>
      queue(group, () => checkPut(tableFor(tables, table), row, ttlSeconds), (put) => insertIfAbsent(state, put)),
    get: (table, key) => settle(() => getRow(state, checkKey(tableFor(tables, table), key, 'row'))),
    scan: (table, partition, scanOptions) => settle(() => scanPage(state, table, partition, scanOptions)),
    health: () => settle(() => checkHealth(state.db)),
    close: () => settle(() => {
      group.flush();
      state.db.close();
    }),
  };
}

// node:sqlite is synchronous; this turns a throw into a rejection so callers see one error path.
function settle<T>(work: () => T): Promise<T> {
  return new Promise<T>((resolve) => {
    resolve(work());
  });
}

/** Checks a write now (a refusal is a rejection) and queues it in the calling turn, so close() sees it. */
function queue<C, T>(group: GroupCommit, check: () => C, apply: (checked: C) => T): Promise<T> {
  let checked: C;
  try {
    checked = check();
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
  return group.run(() => apply(checked));
}

/** Runs inside a group's transaction, in a savepoint of its own: all of the batch or none of it. */
function writeMutations(state: EngineState, mutations: readonly CheckedMutation[]): void {
  const now = Date.now();
  for (const mutation of mutations) {
    switch (mutation.kind) {
      case 'put':
        upsertRow(state.db, mutation.put, now);
        break;
      case 'delete':
        deleteRows(state.db, mutation.key);
        break;
    }
  }
  sweepExpired(state, mutations, now);
}

function upsertRow(db: SqliteDb, put: CheckedPut, now: number): void {
  db.run(purgeRowSql(put.table), [...keyParams(put), now]);
  db.run(upsertSql(put.table, put.columns), putParams(put, now));
}

function deleteRows(db: SqliteDb, key: CheckedKey): void {
  db.run(deleteSql(key.table, key.clustering.length), [...key.partition, ...key.clustering].map(toSqlite));
}

function sweepExpired(state: EngineState, mutations: readonly CheckedMutation[], now: number): void {
  for (const mutation of mutations) {
    const table = mutation.kind === 'put' ? mutation.put.table : mutation.key.table;
    if (now - (state.lastPurge.get(table.name) ?? 0) < PURGE_INTERVAL_MS) continue;
    state.db.run(purgeTableSql(table), [now]);
    state.lastPurge.set(table.name, now);
  }
}

/** Runs inside a group's transaction: the writes queued before it are already applied. */
function insertIfAbsent(state: EngineState, put: CheckedPut): ConditionalResult {
  const now = Date.now();
  // An expired row is gone as far as readers know, so it must not block the insert.
  state.db.run(purgeRowSql(put.table), [...keyParams(put), now]);
  if (state.db.run(insertIfAbsentSql(put.table, put.columns), putParams(put, now)) === 1) return { applied: true };
  const existing = state.db.get(selectRowSql(put.table), [...keyParams(put), now]);
  return existing === undefined ? { applied: false } : { applied: false, existing: rowFromSqlite(put.table, existing) };
}

function getRow(state: EngineState, key: CheckedKey): Row | undefined {
  const record = state.db.get(selectRowSql(key.table), [...[...key.partition, ...key.clustering].map(toSqlite), Date.now()]);
  return record === undefined ? undefined : rowFromSqlite(key.table, record);
}

function scanPage(state: EngineState, tableName: string, partition: KeyValues, options: ScanOptions | undefined): Page {
  const scan = checkScan(tableFor(state.tables, tableName), partition, options);
  const after = scan.pageState === undefined ? undefined : decodePageState(scan.table, scan.pageState);
  const { sql, params } = scanStatement(scan, after, Date.now());
  const records = state.db.all(sql, params);
  const more = records.length > scan.limit;
  const pageRecords = more ? records.slice(0, scan.limit) : records;
  const rows = pageRecords.map((record) => rowFromSqlite(scan.table, record));
  const last = pageRecords.at(-1);
  return more && last !== undefined ? { rows, pageState: encodePageState(scan.table, last) } : { rows };
}

function keyParams(put: CheckedPut): SQLInputValue[] {
  const { table } = put;
  const keys = [...table.partitionKey, ...table.clusteringKey.map((c) => c.column)];
  return keys.map((column) => toSqlite(put.values[put.columns.indexOf(column)] ?? null));
}

function putParams(put: CheckedPut, now: number): SQLInputValue[] {
  const expiresAt = put.effectiveTtlSeconds > 0 ? now + put.effectiveTtlSeconds * 1000 : null;
  return [...put.values.map(toSqlite), expiresAt];
}

function checkHealth(db: SqliteDb): EngineHealth {
  const started = performance.now();
  try {
    const record = db.get('SELECT sqlite_version() AS "version"');
    const latencySeconds = (performance.now() - started) / 1000;
    return { engine: 'sqlite', ok: true, latencySeconds, version: String(record?.version) };
  } catch (error) {
    const latencySeconds = (performance.now() - started) / 1000;
    return { engine: 'sqlite', ok: false, latencySeconds, error: error instanceof Error ? error.message : String(error) };
  }
}
