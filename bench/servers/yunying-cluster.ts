// Yunying in cluster mode for the bench: one front node (api, dimse, ingest, index, retrieval, repair)
// and 3 storage nodes in two zones, over a nats-server of the bench's own and the Cassandra at
// 127.0.0.1:9042 in a keyspace of the run's own (dropped at the end). Each node is started as
// operators start them: `node bin/yunying.ts --topology FILE --node ID`.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { join } from 'node:path';
import cassandra from 'cassandra-driver';
import { freePort, httpOk, startChild, stopChild, unexpectedExit, waitUntil, type BenchSystem, type Child } from './bench-system.ts';

const ROOT = join(import.meta.dirname, '..', '..');
/** bin/yunying.ts, started under a neutral name (see node-main.ts). */
const NODE_MAIN = join(import.meta.dirname, 'node-main.ts');
const CONTACT_POINT = process.env['YY_BENCH_CASSANDRA'] ?? '127.0.0.1:9042';
const LOCAL_DC = 'datacenter1';
const STORAGE_NODES = ['storage-1', 'storage-2', 'storage-3'];

function topology(id: string, keyspace: string, natsPort: number, ports: Record<string, number>, dicomPort: number): string {
  const storage = STORAGE_NODES.map((node, k) => `  - { id: ${node}, zone: dc${(k % 2) + 1}, roles: [storage], http: { port: ${ports[node]} }, storage: { path: blobs, capacity: 100GiB } }`);
  return [
    `platform: { id: ${id}, level: city, name: 基准测试集群 }`,
    'zones: [{ id: dc1, name: 一号数据中心 }, { id: dc2, name: 二号数据中心 }]',
    'nodes:',
    `  - { id: front-1, zone: dc1, roles: [api, dimse, ingest, index, retrieval, repair], http: { port: ${ports['front-1']} }, dicom: { port: ${dicomPort}, aeTitle: YUNYING } }`,
    ...storage,
    'replication: { factor: 2 }',
    `nats: { servers: ["nats://127.0.0.1:${natsPort}"] }`,
    'index:',
    '  engine: cassandra',
    `  cassandra: { contactPoints: ["${CONTACT_POINT}"], localDataCenter: ${LOCAL_DC}, keyspace: ${keyspace}, replication: { ${LOCAL_DC}: 1 } }`,
    '',
  ].join('\n');
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port }, () => { socket.end(); resolve(true); });
    socket.on('error', () => resolve(false));
  });
}

async function dropKeyspace(keyspace: string): Promise<void> {
  const client = new cassandra.Client({ contactPoints: [CONTACT_POINT], localDataCenter: LOCAL_DC });
  try {
    await client.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`);
  } finally {
    await client.shutdown();
  }
}

/**
 * Cluster mode needs the Cassandra at CONTACT_POINT and the nats-server program (the bench starts a
 * nats-server of its own): throws, saying how to get them, when one is missing.
 */
export async function checkClusterServices(): Promise<void> {
  const problems: string[] = [];
  if (spawnSync('sh', ['-c', 'command -v nats-server']).status !== 0) problems.push('nats-server is not on the PATH');
  const client = new cassandra.Client({ contactPoints: [CONTACT_POINT], localDataCenter: LOCAL_DC, socketOptions: { connectTimeout: 5000 } });
  try {
    await client.connect();
  } catch (error) {
    problems.push(`Cassandra does not answer at ${CONTACT_POINT} (YY_BENCH_CASSANDRA): ${(error as Error).message.split('\n')[0]?.slice(0, 200) ?? ''}`);
  } finally {
    await client.shutdown().catch(() => undefined);
  }
  if (problems.length === 0) return;
  throw new Error(`Yunying cluster mode cannot run: ${problems.join('; ')}. Start NATS and Cassandra with \`npm run services:up\` `
    + '(it says what to install when something is missing; `bash scripts/services.sh status` tells whether they answer), '
    + 'or leave cluster mode out with `--modes embedded`.');
}

export async function startYunyingCluster(dir: string): Promise<BenchSystem> {
  mkdirSync(dir, { recursive: true });
  const suffix = randomBytes(4).toString('hex');
  const keyspace = `yunying_bench_${suffix}`;
  const natsPort = await freePort();
  const nats = startChild('nats-server', ['-a', '127.0.0.1', '-p', String(natsPort)], process.env, dir);
  await waitUntil('nats-server', () => canConnect(natsPort), 10_000, () => (nats.hasExited() ? `exited: ${nats.stderrTail()}` : undefined));
  const nodes = ['front-1', ...STORAGE_NODES];
  const ports: Record<string, number> = {};
  for (const node of nodes) ports[node] = await freePort();
  const dicomPort = await freePort();
  const file = join(dir, 'topology.yaml');
  writeFileSync(file, topology(`bench-${suffix}`, keyspace, natsPort, ports, dicomPort));
  const token = randomBytes(24).toString('hex');
  const headers = { authorization: `Bearer ${token}` };
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('YY_')));
  const children = new Map<string, Child>();
  const launch = async (node: string) => {
    const env = { ...clean, YY_DATA_DIR: join(dir, node), YY_ADMIN_TOKEN: token, YY_LOG_LEVEL: 'warn' };
    const c = startChild(process.argv0, ['--disable-warning=ExperimentalWarning', NODE_MAIN, '--topology', file, '--node', node], env, dir);
    children.set(node, c);
    await waitUntil(`Yunying ${node}`, () => httpOk(`http://127.0.0.1:${ports[node]}/health`, headers), 120_000,
      () => (c.hasExited() ? `exited: ${c.stderrTail()}` : undefined));
  };
  const stopAll = async () => {
    for (const c of children.values()) await stopChild(c);
  };
  try {
    await Promise.all(nodes.map(launch));
  } catch (error) {
    await stopAll();
    await stopChild(nats);
    await dropKeyspace(keyspace).catch(() => undefined);
    throw error;
  }
  const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  return {
    name: 'yunying-cluster',
    description: `Yunying ${version} (cluster: 1 front node, 3 storage nodes, replication factor 2, NATS, Cassandra; Node ${process.version})`,
    dicomweb: `http://127.0.0.1:${ports['front-1']}/dicom-web`,
    headers,
    dataDir: dir,
    dicom: { host: '127.0.0.1', port: dicomPort, aeTitle: 'YUNYING' },
    unexpectedExit: () => unexpectedExit(children.values()),
    pids: () => [...children.values()].filter((c) => !c.hasExited()).map((c) => c.process.pid).filter((p): p is number => p !== undefined),
    restart: async () => {
      await stopAll();
      await Promise.all(nodes.map(launch));
    },
    stop: async () => {
      await stopAll();
      await stopChild(nats);
      await dropKeyspace(keyspace).catch(() => undefined);
    },
  };
}
