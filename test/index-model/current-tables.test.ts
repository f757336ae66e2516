import test from 'ava';
import type { ExecutionContext } from 'ava';
import { currentTables, validateSchema } from '../../lib/index-model/current-tables.ts';
import { IndexModelError } from '../../lib/index-model/index-model-error.ts';
import { PLATFORM_SCHEMA } from '../../lib/index-model/platform-schema.ts';
import type { IndexSchema, Migration, MigrationStep, TableDef } from '../../lib/index-model/table-model.ts';

const STUDIES: TableDef = {
  name: 'studies',
  columns: { patient: 'text', study_uid: 'text', taken_at: 'timestamp' },
  partitionKey: ['patient'],
  clusteringKey: [{ column: 'taken_at', order: 'desc' }, { column: 'study_uid', order: 'asc' }],
};

function schemaOf(...migrations: Migration[]): IndexSchema {
  return { name: 'unit', migrations };
}

function migration(version: number, ...steps: MigrationStep[]): Migration {
  return { version, description: `m${String(version)}`, steps };
}

function refuses(t: ExecutionContext, schema: IndexSchema, message: RegExp): void {
  const error = t.throws(() => validateSchema(schema), { instanceOf: IndexModelError, message });
  t.is(error?.code, 'SCHEMA_INVALID');
}

test('currentTables folds createTable, addColumn and dropTable in order', (t) => {
  const tables = currentTables(schemaOf(
    migration(1, { kind: 'createTable', table: STUDIES }, { kind: 'createTable', table: { ...STUDIES, name: 'scratch' } }),
    migration(2, { kind: 'addColumn', table: 'studies', column: 'modality', type: 'text' }),
    migration(3, { kind: 'dropTable', table: 'scratch' }),
  ));
  t.deepEqual([...tables.keys()], ['studies']);
  t.deepEqual(tables.get('studies')?.columns, { patient: 'text', study_uid: 'text', taken_at: 'timestamp', modality: 'text' });
  t.true(Object.isFrozen(tables.get('studies')));
  t.deepEqual(STUDIES.columns, { patient: 'text', study_uid: 'text', taken_at: 'timestamp' });
});

test('PLATFORM_SCHEMA is valid and creates platform_info keyed by scope', (t) => {
  t.notThrows(() => validateSchema(PLATFORM_SCHEMA));
  const info = currentTables(PLATFORM_SCHEMA).get('platform_info');
  t.deepEqual(info?.partitionKey, ['scope']);
  t.deepEqual(info?.columns, { scope: 'text', platform_id: 'text', level: 'text', created_at: 'timestamp' });
});

test('versions must start at 1 and increase strictly', (t) => {
  const step: MigrationStep = { kind: 'createTable', table: STUDIES };
  refuses(t, schemaOf(migration(2, step)), /migration 2: .*version 1/);
  refuses(t, schemaOf(migration(1, step), migration(1, { kind: 'dropTable', table: 'studies' })), /migration 1: .*above 1/);
  refuses(t, schemaOf(migration(1, step), migration(1.5, { kind: 'dropTable', table: 'studies' })), /migration 1\.5/);
  t.notThrows(() => validateSchema(schemaOf(migration(1, step), migration(3, { kind: 'dropTable', table: 'studies' }))));
});

test('a duplicate or reserved table is named', (t) => {
  refuses(t, schemaOf(migration(1, { kind: 'createTable', table: STUDIES }), migration(2, { kind: 'createTable', table: STUDIES })),
    /migration 2: table "studies" already exists/);
  refuses(t, schemaOf(migration(1, { kind: 'createTable', table: { ...STUDIES, name: 'schema_migrations' } })), /"schema_migrations" is reserved/);
});

test('key columns must be columns, listed once, with a valid order', (t) => {
  refuses(t, schemaOf(migration(1, { kind: 'createTable', table: { ...STUDIES, partitionKey: ['patient_id'] } })),
    /migration 1: table "studies": key column "patient_id" is not in columns/);
  refuses(t, schemaOf(migration(1, { kind: 'createTable', table: { ...STUDIES, clusteringKey: [{ column: 'patient', order: 'asc' }] } })),
    /key column "patient" is listed twice/);
  refuses(t, schemaOf(migration(1, { kind: 'createTable', table: { ...STUDIES, partitionKey: [] } })), /"studies" needs a partition key/);
  const badOrder = { ...STUDIES, clusteringKey: [{ column: 'taken_at', order: 'up' }] } as unknown as TableDef;
  refuses(t, schemaOf(migration(1, { kind: 'createTable', table: badOrder })), /clustering column "taken_at" has order "up"/);
});

test('unknown column types and bad identifiers are named', (t) => {
  const badType = { ...STUDIES, columns: { ...STUDIES.columns, size: 'varint' } } as unknown as TableDef;
  refuses(t, schemaOf(migration(1, { kind: 'createTable', table: badType })), /table "studies": column "size" has unknown type "varint"/);
  refuses(t, schemaOf(migration(1, { kind: 'createTable', table: { ...STUDIES, name: 'Studies' } })), /table name "Studies" must match/);
  refuses(t, schemaOf(migration(1, { kind: 'createTable', table: { ...STUDIES, columns: { ...STUDIES.columns, 'study-uid': 'text' } } })),
    /column name "study-uid" must match/);
  refuses(t, schemaOf(migration(1, { kind: 'createTable', table: { ...STUDIES, name: `t${'x'.repeat(48)}` } })), /must match/);
  refuses(t, { name: 'Bad Name', migrations: [] }, /schema name "Bad Name"/);
});

test('addColumn needs an existing table and a new column; dropTable an existing table', (t) => {
  const create = migration(1, { kind: 'createTable', table: STUDIES });
  refuses(t, schemaOf(create, migration(2, { kind: 'addColumn', table: 'series', column: 'x', type: 'text' })),
    /migration 2: addColumn to missing table "series"/);
  refuses(t, schemaOf(create, migration(2, { kind: 'addColumn', table: 'studies', column: 'patient', type: 'text' })),
    /migration 2: table "studies" already has column "patient"/);
  refuses(t, schemaOf(create, migration(2, { kind: 'addColumn', table: 'studies', column: 'x', type: 'uuid' as never })),
    /column "x" has unknown type "uuid"/);
  refuses(t, schemaOf(create, migration(2, { kind: 'dropTable', table: 'series' })), /migration 2: dropTable of missing table "series"/);
});

test('defaultTtlSeconds must be a whole number of seconds within Cassandra\'s limit', (t) => {
  for (const ttl of [0, 1.5, 630_720_001]) {
    refuses(t, schemaOf(migration(1, { kind: 'createTable', table: { ...STUDIES, defaultTtlSeconds: ttl } })), /"studies": defaultTtlSeconds/);
  }
});
