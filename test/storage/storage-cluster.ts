// A storage cluster of real processes for tests: a nats-server of the test's own, the real Cassandra
// (a keyspace of the test's own), a core node (api, index, repair), storage nodes started as processes
// with bin/yunying.ts, and an in-process ingest node whose broker gives the test the cluster BlobStore.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import cassandra from 'cassandra-driver';
import type { ServiceSchema } from 'moleculer';
import { loadConfig } from '../../lib/config/load-config.ts';
import { resolveNode, type NodeRuntime } from '../../lib/config/resolve-node.ts';
import type { BlobStore } from '../../lib/blob-store/blob-store.ts';
import type { IndexAccess } from '../../lib/storage-model/blob-index.ts';
import { loadTopology } from '../../topology/load-topology.ts';
import { findNode } from '../../topology/topology-queries.ts';
import { startNode, type RunningNode } from '../../services/start-node.ts';
import { openClusterBlobStore, storageIndexAccess } from '../../storage-nodes/open-cluster-blob-store.ts';
import { corruptStored, storedIsGood } from './stored-replica.ts';
import { freePort, getJson, startNats, startYunying, tempDir, waitFor, type NatsServer, type NodeProcess } from '../helpers/processes.ts';

export const TOKEN = 'storage-cluster-test-token';
const CONTACT_POINT = process.env.YY_CASSANDRA_CONTACT_POINTS ?? '127.0.0.1:9042';
const LOCAL_DC = process.env.YY_CASSANDRA_LOCAL_DC ?? 'datacenter1';

export interface StorageNodeSpec { readonly id: string; readonly zone: string; readonly capacity?: string }

export interface ClusterOptions {
  readonly storage: readonly StorageNodeSpec[];
  /** Started at once; the others are started by the test. */
  readonly startNow: readonly string[];
  readonly factor: number;
  readonly env?: Readonly<Record<string, string>>;
  /** Extra services of the in-process ingest node (e.g. the catalog's isBlobReferenced). */
  readonly ingestServices?: readonly ServiceSchema[];
}

export interface StatusBody {
  nodes: { id: string; zone: string; state: string; live: boolean; capacityBytes: number; usedBytes: number; objects: number }[];
  underReplicated: number;
  movesInFlight: number;
  lastPass?: { copies: number; removals: number; underReplicated: number; drained: string[] };
}

export interface StorageCluster {
  readonly dir: string;
  readonly apiPort: number;
  readonly ports: ReadonlyMap<string, number>;
  readonly processes: Map<string, NodeProcess>;
  readonly ingest: RunningNode;
  readonly store: BlobStore;
  readonly index: IndexAccess;
  start(id: string): NodeProcess;
  kill(id: string): void;
  status(): Promise<StatusBody>;
  /** Runs one full repair pass now and returns the status after it. */
  pass(): Promise<StatusBody>;
  /** Damages a node's copy of a blob on its disk, behind the node's back. */
  corruptReplica(nodeId: string, sha256: string): Promise<void>;
  /** Whether a node's disk holds a copy of the blob that hashes right. */
  replicaGood(nodeId: string, sha256: string): Promise<boolean>;
  waitLive(ids: readonly string[]): Promise<void>;
  stop(): Promise<void>;
}

function topologyYaml(o: ClusterOptions, platform: string, keyspace: string, nats: NatsServer, ports: ReadonlyMap<string, number>): string {
  const storage = o.storage.map((s) => `  - { id: ${s.id}, zone: ${s.zone}, roles: [storage], http: { port: ${ports.get(s.id) ?? 0} }, storage: { path: blobs, capacity: ${s.capacity ?? '8GiB'} } }`);
  return `
platform: { id: ${platform}, level: city, name: 存储集群测试 }
zones: [{ id: dc1, name: 一号数据中心 }, { id: dc2, name: 二号数据中心 }]
nodes:
  - { id: core-1, zone: dc1, roles: [api, index, repair], http: { port: ${ports.get('core-1') ?? 0} } }
  - { id: ingest-1, zone: dc1, roles: [ingest], http: { port: ${ports.get('ingest-1') ?? 0} } }
${storage.join('\n')}
replication: { factor: ${o.factor} }
placement: { distinctZones: true }
nats: { servers: ["${nats.url}"] }
index:
  engine: cassandra
  cassandra: { contactPoints: ["${CONTACT_POINT}"], localDataCenter: ${LOCAL_DC}, keyspace: ${keyspace}, replication: { ${LOCAL_DC}: 1 } }
`;
}

export async function dropKeyspace(keyspace: string): Promise<void> {
  const client = new cassandra.Client({ contactPoints: [CONTACT_POINT], localDataCenter: LOCAL_DC });
  try { await client.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`); } finally { await client.shutdown(); }
}

export async function startStorageCluster(name: string, o: ClusterOptions): Promise<StorageCluster> {
  const nats = await startNats();
  const dir = tempDir(name);
  const keyspace = `yy_test_${name.replace(/-/g, '_')}_${process.pid}`;
  const ids = ['core-1', 'ingest-1', ...o.storage.map((s) => s.id)];
  const ports = new Map<string, number>();
  for (const id of ids) ports.set(id, await freePort());
  const file = join(dir, 'topology.yaml');
  writeFileSync(file, topologyYaml(o, `test-${name}`, keyspace, nats, ports));
  const env = {
    YY_ADMIN_TOKEN: TOKEN, YY_HEARTBEAT_INTERVAL_SECONDS: '0.5', YY_HEARTBEAT_TIMEOUT_SECONDS: '2',
    YY_STORAGE_REPAIR_INTERVAL_SECONDS: '3600', YY_STORAGE_REPAIR_BYTES_PER_SECOND: '500000000', ...o.env,
  };
  const processes = new Map<string, NodeProcess>();
  const start = (id: string) => {
    const p = startYunying(['--topology', file, '--node', id], { ...env, YY_DATA_DIR: join(dir, id) });
    processes.set(id, p);
    return p;
  };
  const kill = (id: string) => { processes.get(id)?.child.kill('SIGKILL'); };
  start('core-1');
  for (const id of o.startNow) start(id);
  const topology = loadTopology(file);
  const runtime: NodeRuntime = resolveNode(topology, findNode(topology, 'ingest-1'), loadConfig({ ...env, YY_DATA_DIR: join(dir, 'ingest-1'), YY_LOG_LEVEL: 'warn' }), dir);
  const ingest = await startNode(runtime, 'test');
  for (const schema of o.ingestServices ?? []) ingest.broker.createService(schema);
  const store = openClusterBlobStore(ingest.broker, runtime, TOKEN);
  const index = storageIndexAccess(ingest.broker);
  const status = async () => {
    const r = await getJson(`http://127.0.0.1:${ports.get('core-1') ?? 0}/api/storage`, TOKEN);
    if (r.status !== 200) throw new Error(`GET /api/storage: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body as StatusBody;
  };
  const cluster: StorageCluster = {
    dir, apiPort: ports.get('core-1') ?? 0, ports, processes, ingest, store, index, start, kill, status,
    async pass() {
      await ingest.broker.call('storageRepair.pass', {}, { timeout: 600_000, retries: 0 });
      return status();
    },
    corruptReplica: (nodeId, sha256) => corruptStored(join(dir, nodeId, 'blobs'), sha256),
    replicaGood: (nodeId, sha256) => storedIsGood(join(dir, nodeId, 'blobs'), sha256),
    async waitLive(live) {
      await waitFor(`storage nodes ${live.join(', ')} live`, async () => {
        const s = await status();
        return live.every((id) => s.nodes.find((n) => n.id === id)?.live) ? s : undefined;
      }, 60_000, 250);
    },
    async stop() {
      for (const p of processes.values()) p.child.kill('SIGKILL');
      await ingest.stop().catch(() => undefined);
      nats.stop();
      await dropKeyspace(keyspace).catch(() => undefined);
    },
  };
  try {
    await waitFor('the index to answer', async () => (await ingest.broker.call('storageIndex.scan', { table: 'storage_nodes', partition: { scope: 'nodes' }, options: {} }, { timeout: 2000, retries: 0 })) ?? undefined, 90_000, 250);
    await cluster.waitLive(o.startNow);
  } catch (error) {
    const logs = [...processes].map(([id, p]) => `--- ${id}:\n${p.stderr().slice(-3000)}`).join('\n');
    await cluster.stop();
    throw new Error(`${(error as Error).message}\n${logs}`, { cause: error });
  }
  return cluster;
}
