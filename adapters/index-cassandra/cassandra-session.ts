// The driver client and the only three ways this adapter talks to Cassandra: prepared statements,
// logged batches and DDL. Consistency is set on every call (the driver's default, LOCAL_ONE, would
// let a read miss a write acknowledged by the quorum).
import { setTimeout as sleep } from 'node:timers/promises';
import cassandra from 'cassandra-driver';
import type { QueryOptions, types } from 'cassandra-driver';
import { IndexUnavailableError } from '../../lib/index-model/index-model-error.ts';

const { localQuorum, localSerial } = cassandra.types.consistencies;

const STATEMENT_OPTIONS: QueryOptions = { prepare: true, consistency: localQuorum, serialConsistency: localSerial };
const DDL_OPTIONS: QueryOptions = { prepare: false, consistency: localQuorum, readTimeout: 60_000 };
const SCHEMA_AGREEMENT_TIMEOUT_MS = 30_000;

export interface CassandraSessionOptions {
  readonly contactPoints: readonly string[];
  readonly localDataCenter: string;
}

export interface CqlBatchItem {
  readonly query: string;
  readonly params: unknown[];
}

export interface CassandraSession {
  execute(query: string, params: unknown[], options?: QueryOptions): Promise<types.ResultSet>;
  batch(items: readonly CqlBatchItem[]): Promise<void>;
  /** Runs DDL and returns once every node agrees on the schema. */
  ddl(query: string): Promise<void>;
  /** Client-side write timestamps (µs) from the generator the client itself uses, so they stay monotonic. */
  nextTimestamp(): bigint;
  shutdown(): Promise<void>;
}

// The driver implements these but its type declarations omit them.
interface SchemaAgreement {
  checkSchemaAgreement(): Promise<boolean>;
}

export async function openCassandraSession(options: CassandraSessionOptions): Promise<CassandraSession> {
  const timestamps = new cassandra.policies.timestampGeneration.MonotonicTimestampGenerator(1000, 1000);
  const client = new cassandra.Client({
    contactPoints: [...options.contactPoints],
    localDataCenter: options.localDataCenter,
    encoding: { useBigIntAsLong: true },
    queryOptions: STATEMENT_OPTIONS,
    policies: { timestampGeneration: timestamps },
    protocolOptions: { maxSchemaAgreementWaitSeconds: 20 },
    socketOptions: { connectTimeout: 5_000, readTimeout: 15_000 },
  });
  try {
    await client.connect();
  } catch (error) {
    await client.shutdown().catch(() => undefined);
    // The driver's message embeds the socket error's stack; its first line says what happened.
    const reason = (error instanceof Error ? error.message : String(error)).split('\n')[0];
    throw new IndexUnavailableError(`index-cassandra: cannot connect to ${options.contactPoints.join(', ')} ` +
      `(local data center "${options.localDataCenter}"): ${reason ?? ''}; ` +
      'check index.cassandra in the topology, YY_CASSANDRA_CONTACT_POINTS and YY_CASSANDRA_LOCAL_DC', { cause: error });
  }
  return {
    execute: (query, params, extra = {}) => client.execute(query, params, { ...STATEMENT_OPTIONS, ...extra }),
    batch: async (items) => {
      await client.batch(items.map((item) => ({ query: item.query, params: item.params })), { ...STATEMENT_OPTIONS, logged: true });
    },
    ddl: async (query) => {
      await client.execute(query, [], DDL_OPTIONS);
      await waitForSchemaAgreement(client.metadata as unknown as SchemaAgreement);
    },
    nextTimestamp: () => BigInt(String(timestamps.next(client))),
    shutdown: () => client.shutdown(),
  };
}

async function waitForSchemaAgreement(metadata: SchemaAgreement): Promise<void> {
  const deadline = Date.now() + SCHEMA_AGREEMENT_TIMEOUT_MS;
  while (!(await metadata.checkSchemaAgreement())) {
    if (Date.now() > deadline) {
      throw new Error(`index-cassandra: nodes still disagree on the schema after ${String(SCHEMA_AGREEMENT_TIMEOUT_MS / 1000)} s`);
    }
    await sleep(200);
  }
}
