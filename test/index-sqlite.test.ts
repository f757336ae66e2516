// What only the SQLite adapter does, beyond the contract: its pragmas, ':memory:', purging expired
// rows from the file (the contract can only see that they are no longer read), and group commit.
import test from 'ava';
import type { ExecutionContext } from 'ava';
import { mkdtemp, rm } from 'node:fs/promises';
import { DatabaseSync } from 'node:sqlite';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createSqliteEngine } from '../adapters/index-sqlite/index.ts';
import { createGroupCommit } from '../adapters/index-sqlite/group-commit.ts';
import { openSqliteDb, type SqliteDb } from '../adapters/index-sqlite/sqlite-db.ts';
import { CONTRACT_SCHEMA } from './contract/contract-schema.ts';

async function tempFile(t: ExecutionContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'yy-sqlite-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return join(dir, 'index.sqlite');
}

function countRows(file: string, table: string): number {
  const db = new DatabaseSync(file);
  try {
    return Number(db.prepare(`SELECT count(*) AS n FROM "${table}"`).get()?.n);
  } finally {
    db.close();
  }
}

test('a file store runs in WAL mode with schema_migrations recorded', async (t) => {
  const file = await tempFile(t);
  const engine = createSqliteEngine({ file, schema: CONTRACT_SCHEMA });
  await engine.migrate();
  await engine.close();
  await engine.close();
  const db = new DatabaseSync(file);
  t.teardown(() => db.close());
  t.is(db.prepare('PRAGMA journal_mode').get()?.journal_mode, 'wal');
  t.deepEqual(db.prepare('SELECT version FROM schema_migrations ORDER BY version').all().map((r) => r.version), [1, 2, 3]);
});

test(':memory: works for throwaway engines', async (t) => {
  const engine = createSqliteEngine({ file: ':memory:', schema: CONTRACT_SCHEMA });
  t.teardown(() => engine.close());
  t.deepEqual(await engine.migrate(), { applied: [1, 2, 3], current: 3 });
  await engine.write([{ kind: 'put', table: 'contract_kv', row: { k: 'a', v: 'b' } }]);
  t.deepEqual(await engine.get('contract_kv', { k: 'a' }), { k: 'a', v: 'b', n: null });
});

test('expired rows are purged from the file by a later write to their table', async (t) => {
  const file = await tempFile(t);
  const first = createSqliteEngine({ file, schema: CONTRACT_SCHEMA });
  await first.migrate();
  await first.write([
    { kind: 'put', table: 'contract_kv', row: { k: 'brief', v: null, n: null }, ttlSeconds: 1 },
    { kind: 'put', table: 'contract_kv', row: { k: 'lasting', v: null, n: null } },
  ]);
  await first.close();
  t.is(countRows(file, 'contract_kv'), 2);
  await sleep(1_200);
  const second = createSqliteEngine({ file, schema: CONTRACT_SCHEMA });
  t.teardown(() => second.close());
  await second.write([{ kind: 'put', table: 'contract_kv', row: { k: 'other' } }]);
  t.is(countRows(file, 'contract_kv'), 2);
  t.is(await second.get('contract_kv', { k: 'brief' }), undefined);
});

test('a closed engine reports unhealthy instead of throwing', async (t) => {
  const engine = createSqliteEngine({ file: ':memory:', schema: CONTRACT_SCHEMA });
  await engine.close();
  const health = await engine.health();
  t.false(health.ok);
  t.is(health.engine, 'sqlite');
  t.is(typeof health.error, 'string');
});

test('group commit: writes asked in one turn share one transaction; a failing one is rolled back and rejected alone', async (t) => {
  const db = openSqliteDb(await tempFile(t));
  t.teardown(() => { db.close(); });
  db.exec('CREATE TABLE t (k TEXT PRIMARY KEY)');
  let transactions = 0;
  const counting: Pick<SqliteDb, 'transactionOfEach'> = {
    transactionOfEach: (works) => {
      transactions += 1;
      return db.transactionOfEach(works);
    },
  };
  const group = createGroupCommit(counting);
  const insert = (k: string) => group.run(() => db.run('INSERT INTO t (k) VALUES (?)', [k]));
  const results = await Promise.allSettled([
    insert('a'),
    group.run(() => {
      db.run('INSERT INTO t (k) VALUES (?)', ['b']);
      throw new Error('this write fails after its insert');
    }),
    insert('a'), // a primary key conflict with the first write of the group
    insert('c'),
  ]);
  t.is(transactions, 1);
  t.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'rejected', 'fulfilled']);
  t.deepEqual(db.all('SELECT k FROM t ORDER BY k').map((r) => r.k), ['a', 'c']);
  await insert('d');
  t.is(transactions, 2);
});

test('group commit: a write is acknowledged only once committed, and close commits what is queued', async (t) => {
  const file = await tempFile(t);
  const engine = createSqliteEngine({ file, schema: CONTRACT_SCHEMA });
  await engine.migrate();
  const writes = Array.from({ length: 20 }, (_, k) => engine.write([{ kind: 'put', table: 'contract_kv', row: { k: `key-${String(k)}`, v: 'x' } }]));
  await Promise.all(writes);
  t.is(countRows(file, 'contract_kv'), 20);
  void engine.write([{ kind: 'put', table: 'contract_kv', row: { k: 'queued', v: 'y' } }]);
  await engine.close();
  t.is(countRows(file, 'contract_kv'), 21);
});
