// Migrations on SQLite: DDL is transactional here, so every pending migration and its record in
// schema_migrations commit together or not at all, and a second migrator (BEGIN IMMEDIATE waits
// for the first) finds nothing left to do.
import type { MigrationReport } from '../../lib/index-model/index-engine.ts';
import type { IndexSchema, MigrationStep } from '../../lib/index-model/table-model.ts';
import type { SqliteDb } from './sqlite-db.ts';
import { addColumnSql, createTableSql, dropTableSql } from './sqlite-sql.ts';

const CREATE_LOG =
  'CREATE TABLE IF NOT EXISTS "schema_migrations" (' +
  '"version" INTEGER PRIMARY KEY, "description" TEXT NOT NULL, "applied_at" INTEGER NOT NULL) STRICT';

export function migrateSqlite(db: SqliteDb, schema: IndexSchema): MigrationReport {
  return db.transaction(() => {
    db.exec(CREATE_LOG);
    const done = new Set(db.all('SELECT "version" FROM "schema_migrations"').map((r) => Number(r.version)));
    const applied: number[] = [];
    for (const migration of schema.migrations) {
      if (done.has(migration.version)) continue;
      for (const step of migration.steps) applyStep(db, step);
      db.run('INSERT INTO "schema_migrations" ("version", "description", "applied_at") VALUES (?, ?, ?)',
        [migration.version, migration.description, Date.now()]);
      applied.push(migration.version);
      done.add(migration.version);
    }
    // A store migrated by newer code reports its own version; this code's tables are a prefix of it.
    return { applied, current: Math.max(0, ...done) };
  });
}

function applyStep(db: SqliteDb, step: MigrationStep): void {
  switch (step.kind) {
    case 'createTable':
      for (const sql of createTableSql(step.table)) db.exec(sql);
      return;
    case 'addColumn':
      db.exec(addColumnSql(step.table, step.column, step.type));
      return;
    case 'dropTable':
      db.exec(dropTableSql(step.table));
      return;
  }
}
