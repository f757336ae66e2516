// One node:sqlite connection with the pragmas the index needs and a statement cache. node:sqlite is
// synchronous, so a transaction run inside one call cannot interleave with another call of this
// process; BEGIN IMMEDIATE plus busy_timeout covers other processes on the same file.
import { DatabaseSync } from 'node:sqlite';
import type { SQLInputValue, SQLOutputValue, StatementSync } from 'node:sqlite';

export type SqliteRecord = Record<string, SQLOutputValue>;

export interface SqliteDb {
  run(sql: string, params?: readonly SQLInputValue[]): number;
  get(sql: string, params?: readonly SQLInputValue[]): SqliteRecord | undefined;
  all(sql: string, params?: readonly SQLInputValue[]): SqliteRecord[];
  exec(sql: string): void;
  transaction<T>(work: () => T): T;
  /** Runs each work in its own savepoint of one transaction: a work that throws is rolled back alone and
   * its error returned in its place. Throws (and commits nothing) when the transaction itself fails. */
  transactionOfEach(works: readonly (() => unknown)[]): Settled[];
  close(): void;
}

export type Settled = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: unknown };

const BUSY_TIMEOUT_MS = 5_000;

export function openSqliteDb(file: string): SqliteDb {
  const db = new DatabaseSync(file);
  // WAL lets readers of other processes run during a write; FULL makes a committed write survive power loss.
  db.exec(`PRAGMA busy_timeout = ${String(BUSY_TIMEOUT_MS)}`);
  db.exec('PRAGMA journal_mode = WAL');
  db.exec('PRAGMA synchronous = FULL');
  const statements = new Map<string, StatementSync>();
  const prepare = (sql: string): StatementSync => {
    let statement = statements.get(sql);
    if (statement === undefined) {
      statement = db.prepare(sql);
      statements.set(sql, statement);
    }
    return statement;
  };
  return {
    run: (sql, params = []) => Number(prepare(sql).run(...params).changes),
    get: (sql, params = []) => prepare(sql).get(...params),
    all: (sql, params = []) => prepare(sql).all(...params),
    exec: (sql) => {
      // Schema changes invalidate prepared statements' column lists.
      statements.clear();
      db.exec(sql);
    },
    transaction: (work) => runInTransaction(db, work),
    transactionOfEach: (works) => runInTransaction(db, () => works.map((work) => inSavepoint(db, work))),
    close: () => {
      statements.clear();
      if (db.isOpen) db.close();
    },
  };
}

function runInTransaction<T>(db: DatabaseSync, work: () => T): T {
  db.exec('BEGIN IMMEDIATE');
  try {
    const result = work();
    db.exec('COMMIT');
    return result;
  } catch (error) {
    if (db.isTransaction) db.exec('ROLLBACK');
    throw error;
  }
}

function inSavepoint(db: DatabaseSync, work: () => unknown): Settled {
  db.exec('SAVEPOINT one_of_many');
  try {
    const value = work();
    db.exec('RELEASE one_of_many');
    return { ok: true, value };
  } catch (error) {
    db.exec('ROLLBACK TO one_of_many');
    db.exec('RELEASE one_of_many');
    return { ok: false, error };
  }
}
