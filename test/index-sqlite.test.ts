// What only the SQLite adapter does, beyond the contract: its pragmas, ':memory:', and purging expired
// rows from the file (the contract can only see that they are no longer read).
import test from 'ava';
import type { ExecutionContext } from 'ava';
import { mkdtemp, rm } from 'node:fs/promises';
import { DatabaseSync } from 'node:sqlite';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createSqliteEngine } from '../adapters/index-sqlite/index.ts';
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
