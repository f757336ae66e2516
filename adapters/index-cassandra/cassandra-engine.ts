// The cluster index engine: the model on Cassandra with cassandra-driver. The factory connects (so a
// wrong contact point fails at start-up, not at the first request); migrate() creates the keyspace.
// Requests are checked by lib/index-model first, so this file only maps them to CQL.
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import cassandra from 'cassandra-driver';
import type { types } from 'cassandra-driver';
import { checkKey, checkPut, checkScan, checkWrite, tableFor } from '../../lib/index-model/check-request.ts';
import type { CheckedKey, CheckedMutation, CheckedPut } from '../../lib/index-model/check-request.ts';
import { currentTables, IDENTIFIER } from '../../lib/index-model/current-tables.ts';
import type { ConditionalResult, EngineHealth, IndexEngine, Page } from '../../lib/index-model/index-engine.ts';
import type { IndexSchema, Row, TableDef } from '../../lib/index-model/table-model.ts';
import { migrateCassandra } from './cassandra-migrate.ts';
import { openCassandraSession } from './cassandra-session.ts';
import type { CassandraSession, CqlBatchItem } from './cassandra-session.ts';
import { bindValues, deleteCql, insertCql, keyColumnNames, scanStatement, selectRowCql } from './cql-statements.ts';
import { decodePageState, encodePageState, rowFromCql } from './cql-values.ts';

export interface CassandraEngineOptions {
  /** `host:port` of one or more nodes. */
  readonly contactPoints: readonly string[];
  readonly localDataCenter: string;
  /** Created by migrate() when missing, with NetworkTopologyStrategy and `replication`. */
  readonly keyspace: string;
  /** Replication factor per data center, e.g. `{ dc1: 3, dc2: 3 }`. */
  readonly replication: Readonly<Record<string, number>>;
  readonly schema: IndexSchema;
}

/** Connects to the cluster; rejects with a message naming the contact points when none answers. */
export async function createCassandraEngine(options: CassandraEngineOptions): Promise<IndexEngine> {
  checkOptions(options);
  const tables = currentTables(options.schema);
  const session = await openCassandraSession(options);
  const { keyspace } = options;
  let closing: Promise<void> | undefined;
  return {
    kind: 'cassandra',
    migrate: () => migrateCassandra(session, options),
    write: async (mutations) => {
      await writeMutations(session, keyspace, checkWrite(tables, mutations));
    },
    insertIfNotExists: async (table, row, ttlSeconds) =>
      insertIfAbsent(session, keyspace, checkPut(tableFor(tables, table), row, ttlSeconds)),
    get: async (table, key) => getRow(session, keyspace, checkKey(tableFor(tables, table), key, 'row')),
    scan: async (table, partition, scanOptions) => {
      const scan = checkScan(tableFor(tables, table), partition, scanOptions);
      const pageState = scan.pageState === undefined ? undefined : decodePageState(scan.table, scan.pageState);
      const { query, params } = scanStatement(keyspace, scan);
      const result = await session.execute(query, params, { fetchSize: scan.limit, ...(pageState === undefined ? {} : { pageState }) });
      return pageOf(scan.table, result);
    },
    health: () => checkHealth(session),
    close: () => (closing ??= session.shutdown()),
  };
}

function checkOptions(options: CassandraEngineOptions): void {
  if (options.contactPoints.length === 0) throw new Error('index-cassandra: contactPoints is empty');
  if (!IDENTIFIER.test(options.keyspace)) throw new Error(`index-cassandra: keyspace "${options.keyspace}" must match ${String(IDENTIFIER)}`);
  const factors = Object.entries(options.replication);
  if (factors.length === 0) throw new Error('index-cassandra: replication names no data center');
  for (const [dc, factor] of factors) {
    // Both end up as literals in CREATE KEYSPACE, which takes no bind markers.
    if (!/^[A-Za-z0-9_.-]{1,64}$/.test(dc)) throw new Error(`index-cassandra: replication data center name "${dc}" is not valid`);
    if (!Number.isInteger(factor) || factor < 1 || factor > 10) {
      throw new Error(`index-cassandra: replication factor of "${dc}" must be an integer from 1 to 10`);
    }
  }
}

// Several mutations go in one logged batch. Cassandra gives every statement of a batch the same
// timestamp, so a delete would win over a later put of the same row whatever their order; explicit,
// increasing timestamps make the batch apply in the order given, as SQLite does.
async function writeMutations(session: CassandraSession, keyspace: string, mutations: readonly CheckedMutation[]): Promise<void> {
  const [only] = mutations;
  if (only === undefined) return;
  if (mutations.length === 1) {
    const single = statementFor(keyspace, only, undefined);
    await session.execute(single.query, single.params);
    return;
  }
  await session.batch(mutations.map((mutation) => statementFor(keyspace, mutation, session.nextTimestamp())));
}

function statementFor(keyspace: string, mutation: CheckedMutation, timestamp: bigint | undefined): CqlBatchItem {
  switch (mutation.kind) {
    case 'put':
      return putStatement(keyspace, mutation.put, timestamp, false);
    case 'delete':
      return deleteStatement(keyspace, mutation.key, timestamp);
  }
}

function putStatement(keyspace: string, put: CheckedPut, timestamp: bigint | undefined, ifNotExists: boolean): CqlBatchItem {
  const withTtl = put.ttlSeconds !== undefined;
  const withTimestamp = timestamp !== undefined;
  return {
    query: insertCql(keyspace, put.table, put.columns, { withTtl, withTimestamp, ifNotExists }),
    params: [
      ...bindValues(put.table, put.columns, put.values),
      ...(withTtl ? [put.ttlSeconds] : []),
      ...(withTimestamp ? [timestamp] : []),
    ],
  };
}

function deleteStatement(keyspace: string, key: CheckedKey, timestamp: bigint | undefined): CqlBatchItem {
  const columns = keyColumnNames(key.table, key.clustering.length);
  return {
    query: deleteCql(keyspace, key.table, key.clustering.length, timestamp !== undefined),
    params: [...(timestamp === undefined ? [] : [timestamp]), ...bindValues(key.table, columns, [...key.partition, ...key.clustering])],
  };
}

const CAS_ATTEMPTS = 3;
const CAS_WRITE_UNKNOWN = 0x1700;

async function insertIfAbsent(session: CassandraSession, keyspace: string, put: CheckedPut): Promise<ConditionalResult> {
  const { query, params } = putStatement(keyspace, put, undefined, true);
  for (let attempt = 1; ; attempt++) {
    try {
      const result = await session.execute(query, params);
      if (result.wasApplied()) return { applied: true };
      const existing = result.rows[0];
      return existing === undefined ? { applied: false } : { applied: false, existing: rowFromCql(put.table, existing) };
    } catch (error) {
      // Contended Paxos rounds time out with an unknown outcome; a retry either applies or reports the row.
      if (attempt >= CAS_ATTEMPTS || !isCasTimeout(error)) throw error;
      await sleep(50 * attempt + Math.random() * 100);
    }
  }
}

function isCasTimeout(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const { code, writeType } = error as Error & { code?: unknown; writeType?: unknown };
  return (code === cassandra.types.responseErrorCodes.writeTimeout && writeType === 'CAS') || code === CAS_WRITE_UNKNOWN;
}

async function getRow(session: CassandraSession, keyspace: string, key: CheckedKey): Promise<Row | undefined> {
  const columns = keyColumnNames(key.table, key.clustering.length);
  const result = await session.execute(selectRowCql(keyspace, key.table), bindValues(key.table, columns, [...key.partition, ...key.clustering]));
  const record = result.rows[0];
  return record === undefined ? undefined : rowFromCql(key.table, record);
}

function pageOf(table: TableDef, result: types.ResultSet): Page {
  const rows = result.rows.map((record) => rowFromCql(table, record));
  // The driver hands out a paging state whenever a page is full, so the next page may be empty.
  const driverState = result.pageState as string | null | undefined;
  return driverState === null || driverState === undefined ? { rows } : { rows, pageState: encodePageState(table, driverState) };
}

async function checkHealth(session: CassandraSession): Promise<EngineHealth> {
  const started = performance.now();
  try {
    const result = await session.execute('SELECT release_version FROM system.local', [], { readTimeout: 5_000 });
    const version: unknown = result.rows[0]?.get('release_version');
    return { engine: 'cassandra', ok: true, latencySeconds: (performance.now() - started) / 1000, version: String(version) };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { engine: 'cassandra', ok: false, latencySeconds: (performance.now() - started) / 1000, error: message };
  }
}
