// Migrations on Cassandra. DDL is not transactional and Cassandra 5.0 can end up with two versions of
// a table when two nodes create it at once, so every migrating DDL runs under a lock row taken with a
// lightweight transaction (TTL'd, so a crashed migrator frees it), and waits for schema agreement.
// Only the lock table itself is created unlocked: with an id derived from its name, two nodes
// creating it at once create the same table.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import cassandra from 'cassandra-driver';
import type { MigrationReport } from '../../lib/index-model/index-engine.ts';
import type { IndexSchema, MigrationStep, TableDef } from '../../lib/index-model/table-model.ts';
import type { CassandraSession } from './cassandra-session.ts';
import {
  addColumnCql, createKeyspaceCql, createTableCql, deterministicTableId, dropTableCql, qualified,
} from './cql-statements.ts';

export interface MigrationTarget {
  readonly keyspace: string;
  readonly replication: Readonly<Record<string, number>>;
  readonly schema: IndexSchema;
}

const LOCK_TABLE: TableDef = {
  name: 'schema_lock',
  columns: { name: 'text', owner: 'text', acquired_at: 'timestamp' },
  partitionKey: ['name'],
  clusteringKey: [],
};
const LOG_TABLE: TableDef = {
  name: 'schema_migrations',
  columns: { scope: 'text', version: 'int', description: 'text', applied_at: 'timestamp' },
  partitionKey: ['scope'],
  clusteringKey: [{ column: 'version', order: 'asc' }],
};
const LOCK_NAME = 'migrate';
const LOG_SCOPE = 'schema';
const LOCK_TTL_SECONDS = 120;
const LOCK_WAIT_MS = 5 * 60_000;

export async function migrateCassandra(session: CassandraSession, target: MigrationTarget): Promise<MigrationReport> {
  const { keyspace } = target;
  // Unconditional IF NOT EXISTS, not a look at system_schema first: a node can list a table there
  // before it accepts statements on it, while its own DDL returns only once the table is usable.
  await session.ddl(createKeyspaceCql(keyspace, target.replication));
  await session.ddl(createTableCql(keyspace, LOCK_TABLE, deterministicTableId(keyspace, LOCK_TABLE.name)));
  const done = await readVersions(session, keyspace);
  if (target.schema.migrations.every((m) => done.has(m.version))) return report([], done);
  return withMigrationLock(session, keyspace, async (refresh) => {
    await session.ddl(createTableCql(keyspace, LOG_TABLE));
    const current = await readVersions(session, keyspace);
    const applied: number[] = [];
    for (const migration of target.schema.migrations) {
      if (current.has(migration.version)) continue;
      for (const step of migration.steps) await session.ddl(stepCql(keyspace, step));
      await session.execute(
        `INSERT INTO ${qualified(keyspace, LOG_TABLE.name)} ("scope", "version", "description", "applied_at") VALUES (?, ?, ?, ?)`,
        [LOG_SCOPE, migration.version, migration.description, new Date()]);
      applied.push(migration.version);
      current.add(migration.version);
      await refresh();
    }
    return report(applied, current);
  });
}

function report(applied: number[], done: ReadonlySet<number>): MigrationReport {
  // A store migrated by newer code reports its own version; this code's tables are a prefix of it.
  return { applied, current: Math.max(0, ...done) };
}

function stepCql(keyspace: string, step: MigrationStep): string {
  switch (step.kind) {
    case 'createTable':
      return createTableCql(keyspace, step.table);
    case 'addColumn':
      return addColumnCql(keyspace, step.table, step.column, step.type);
    case 'dropTable':
      return dropTableCql(keyspace, step.table);
  }
}

/** Applied versions; none while the log table does not exist yet (another migrator may be creating it). */
async function readVersions(session: CassandraSession, keyspace: string): Promise<Set<number>> {
  try {
    const result = await session.execute(
      `SELECT "version" FROM ${qualified(keyspace, LOG_TABLE.name)} WHERE "scope" = ?`, [LOG_SCOPE]);
    return new Set(result.rows.map((row) => Number(row.get('version'))));
  } catch (error) {
    if (isMissingTable(error)) return new Set();
    throw error;
  }
}

function isMissingTable(error: unknown): boolean {
  return error instanceof Error && (error as Error & { code?: unknown }).code === cassandra.types.responseErrorCodes.invalid
    && /does not exist|unconfigured table/i.test(error.message);
}

async function withMigrationLock<T>(session: CassandraSession, keyspace: string, work: (refresh: () => Promise<void>) => Promise<T>): Promise<T> {
  const lockTable = qualified(keyspace, LOCK_TABLE.name);
  const owner = randomUUID();
  await acquireLock(session, lockTable, owner);
  const refresh = async (): Promise<void> => {
    const result = await session.execute(
      `UPDATE ${lockTable} USING TTL ${String(LOCK_TTL_SECONDS)} SET "owner" = ?, "acquired_at" = ? WHERE "name" = ? IF "owner" = ?`,
      [owner, new Date(), LOCK_NAME, owner]);
    if (!result.wasApplied()) throw new Error(`index-cassandra: lost the migration lock of keyspace "${keyspace}" (held over ${String(LOCK_TTL_SECONDS)} s?)`);
  };
  try {
    return await work(refresh);
  } finally {
    // Best effort: a lock that cannot be released now expires with its TTL.
    await session.execute(`DELETE FROM ${lockTable} WHERE "name" = ? IF "owner" = ?`, [LOCK_NAME, owner]).catch(() => undefined);
  }
}

async function acquireLock(session: CassandraSession, lockTable: string, owner: string): Promise<void> {
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    const result = await session.execute(
      `INSERT INTO ${lockTable} ("name", "owner", "acquired_at") VALUES (?, ?, ?) IF NOT EXISTS USING TTL ${String(LOCK_TTL_SECONDS)}`,
      [LOCK_NAME, owner, new Date()]);
    if (result.wasApplied()) return;
    if (Date.now() > deadline) {
      throw new Error(`index-cassandra: another migrator has held the lock in ${lockTable} for over ${String(LOCK_WAIT_MS / 1000)} s`);
    }
    await sleep(250 + Math.random() * 500);
  }
}
