// The index engine contract, once per engine: SQLite on a temp file per test, Cassandra on a keyspace
// of its own for this run (dropped at the end). The Cassandra tests fail, never skip, when Cassandra
// cannot be reached: YY_CASSANDRA_CONTACT_POINTS (host:port,...) and YY_CASSANDRA_LOCAL_DC choose it.
import test from 'ava';
import cassandra from 'cassandra-driver';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCassandraEngine } from '../adapters/index-cassandra/index.ts';
import { createSqliteEngine } from '../adapters/index-sqlite/index.ts';
import { registerIndexEngineContract } from './contract/index-engine-contract.ts';
import type { ContractTarget } from './contract/index-engine-contract.ts';

function sqliteTarget(): ContractTarget {
  const dirs: string[] = [];
  return {
    name: 'sqlite',
    storePerTest: true,
    createStore: async () => {
      const dir = await mkdtemp(join(tmpdir(), 'yy-index-'));
      dirs.push(dir);
      return join(dir, 'index.sqlite');
    },
    open: (file, schema) => Promise.resolve(createSqliteEngine({ file, schema })),
    dispose: async () => {
      await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
    },
    unavailableHint: 'node:sqlite needs Node 22.5 or later.',
  };
}

function cassandraTarget(): ContractTarget {
  const contactPoints = (process.env.YY_CASSANDRA_CONTACT_POINTS ?? '127.0.0.1:9042').split(',').map((s) => s.trim()).filter(Boolean);
  const localDataCenter = process.env.YY_CASSANDRA_LOCAL_DC ?? 'datacenter1';
  const run = `${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const keyspaces: string[] = [];
  return {
    name: 'cassandra',
    storePerTest: false,
    createStore: () => {
      const keyspace = `yy_contract_${run}_${String(keyspaces.length)}`;
      keyspaces.push(keyspace);
      return Promise.resolve(keyspace);
    },
    open: (keyspace, schema) => createCassandraEngine({ contactPoints, localDataCenter, keyspace, replication: { [localDataCenter]: 1 }, schema }),
    dispose: () => dropKeyspaces(contactPoints, localDataCenter, keyspaces),
    unavailableHint: `Start a local Cassandra with \`npm run services:up\` (or point YY_CASSANDRA_CONTACT_POINTS=${contactPoints.join(',')} ` +
      `and YY_CASSANDRA_LOCAL_DC=${localDataCenter} at a running cluster).`,
  };
}

async function dropKeyspaces(contactPoints: string[], localDataCenter: string, keyspaces: readonly string[]): Promise<void> {
  if (keyspaces.length === 0) return;
  const client = new cassandra.Client({ contactPoints, localDataCenter });
  try {
    await client.connect();
    for (const keyspace of keyspaces) {
      await client.execute(`DROP KEYSPACE IF EXISTS "${keyspace}"`, [], { readTimeout: 60_000 });
    }
  } catch {
    // Unreachable Cassandra already failed every Cassandra test; nothing was created to drop.
  } finally {
    await client.shutdown();
  }
}

registerIndexEngineContract(test, sqliteTarget());
registerIndexEngineContract(test, cassandraTarget());
