// Opens the index engine the topology names for this node.
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import type { IndexEngine } from '../../lib/index-model/index-engine.ts';
import { PLATFORM_SCHEMA } from '../../lib/index-model/platform-schema.ts';
import type { NodeRuntime } from '../../lib/config/resolve-node.ts';
import { createSqliteEngine } from '../../adapters/index-sqlite/index.ts';
import { createCassandraEngine } from '../../adapters/index-cassandra/index.ts';

export async function openIndexEngine(runtime: NodeRuntime): Promise<IndexEngine> {
  const { index } = runtime;
  if (index.engine === 'sqlite') {
    mkdirSync(runtime.dataDir, { recursive: true });
    return createSqliteEngine({ file: join(runtime.dataDir, 'index.sqlite'), schema: PLATFORM_SCHEMA });
  }
  const cassandra = index.cassandra;
  if (!cassandra) throw new Error('index.cassandra: required when index.engine is cassandra');
  return createCassandraEngine({
    contactPoints: [...cassandra.contactPoints],
    localDataCenter: cassandra.localDataCenter,
    keyspace: cassandra.keyspace,
    replication: { ...cassandra.replication },
    schema: PLATFORM_SCHEMA,
  });
}
