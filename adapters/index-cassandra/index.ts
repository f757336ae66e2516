export { createCassandraEngine } from './cassandra-engine.ts';
export type { CassandraEngineOptions } from './cassandra-engine.ts';
