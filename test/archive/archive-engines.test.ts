// The archive suite once per index engine: SQLite on a temp file, Cassandra on keyspaces of this run's
// own (dropped at the end). The Cassandra tests fail, never skip, when Cassandra cannot be reached:
// YY_CASSANDRA_CONTACT_POINTS (host:port,...) and YY_CASSANDRA_LOCAL_DC choose it.
import test from 'ava';
import { cassandraTarget, sqliteTarget } from './archive-fixture.ts';
import { registerIngestSuite } from './archive-ingest-suite.ts';
import { registerQuerySuite } from './archive-query-suite.ts';

for (const target of [sqliteTarget(), cassandraTarget()]) {
  registerIngestSuite(test, target);
  registerQuerySuite(test, target);
  test.after.always(`${target.name}: dispose`, () => target.dispose());
}
