// A city and two hospitals as real processes, for the edge tests and the edge bench: the city's nodes
// on the city nats-server (one front node with api, dimse, ingest, index, retrieval, repair on the SQLite index,
// and two storage nodes in two zones, replication factor 2, so centralized uploads land on real storage
// nodes), and one edge node per storage mode on a hospital nats-server joined to the city by a leaf
// connection (optionally through the slow link). Every node is started as operators start it:
// `node bin/yunying.ts --node ID` with YY_TOPOLOGY, YY_DATA_DIR and, for the edges, YY_NATS_URL of the
// hospital server. SQLite rather than Cassandra: these tests are about the edge link, and a keyspace per
// test would add a minute of schema work to each run.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, getJson, startYunying, tempDir, waitFor, type NodeProcess } from '../helpers/processes.ts';
import { startLeafPair, type LeafPair, type LeafPairOptions } from '../helpers/leaf-nats.ts';

export const TOKEN = 'edge-city-test-token-0123456789';
export const CITY_NODES = ['city-1', 'storage-1', 'storage-2'] as const;

export interface EdgeSpec {
  readonly id: string;
  readonly hospitalId: string;
  readonly httpPort: number;
  readonly dicomPort: number;
  /** The topology's default: the node id in upper case. */
  readonly aeTitle: string;
}

export interface EdgeCityOptions {
  /** Extra environment of the city nodes. */
  readonly cityEnv?: Readonly<Record<string, string>>;
  /** Extra environment of each edge node, by node id. */
  readonly edgeEnv?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  readonly slowLink?: LeafPairOptions['slowLink'];
}

export interface EdgeCity {
  readonly dir: string;
  readonly pair: LeafPair;
  readonly apiPort: number;
  /** http://127.0.0.1:<api port>/dicom-web */
  readonly dicomweb: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly centralized: EdgeSpec;
  readonly distributed: EdgeSpec;
  /** The city's own DICOM SCP (city-1). */
  readonly cityDicom: { readonly port: number; readonly aeTitle: string };
  readonly processes: Map<string, NodeProcess>;
  /** Starts (or starts again) a node; `env` adds to the node's environment for this start. */
  start(id: string, env?: Readonly<Record<string, string>>): NodeProcess;
  /** SIGKILL; start(id) brings the node back on the same data directory. */
  kill(id: string): Promise<void>;
  /** SIGSTOP / SIGCONT of node processes. */
  freeze(ids: readonly string[]): void;
  resume(ids: readonly string[]): void;
  /** GET on the city's api node with the token. */
  api(path: string): Promise<{ status: number; body: unknown }>;
  /** The last lines each node wrote to stderr, for failure messages. */
  logs(): string;
  stop(): Promise<void>;
}

function topologyYaml(platform: string, cityNats: string, ports: ReadonlyMap<string, number>, c: EdgeSpec, d: EdgeSpec, cityDicom: number): string {
  const p = (id: string) => ports.get(id) ?? 0;
  const edge = (e: EdgeSpec) => `  - { id: ${e.id}, zone: dc1, roles: [edge], hospital: ${e.hospitalId}, http: { port: ${e.httpPort} }, dicom: { port: ${e.dicomPort} } }`;
  return `
platform: { id: ${platform}, level: city, name: 前置机测试城市 }
zones: [{ id: dc1, name: 一号数据中心 }, { id: dc2, name: 二号数据中心 }]
nodes:
  - { id: city-1, zone: dc1, roles: [api, dimse, ingest, index, retrieval, repair], http: { port: ${p('city-1')} }, dicom: { port: ${cityDicom}, aeTitle: YUNYING } }
  - { id: storage-1, zone: dc1, roles: [storage], http: { port: ${p('storage-1')} }, storage: { path: blobs, capacity: 8GiB } }
  - { id: storage-2, zone: dc2, roles: [storage], http: { port: ${p('storage-2')} }, storage: { path: blobs, capacity: 8GiB } }
${edge(c)}
${edge(d)}
hospitals:
  - { id: ${c.hospitalId}, name: 集中存储医院, storageMode: centralized, edgeNode: ${c.id} }
  - { id: ${d.hospitalId}, name: 分布式存储医院, storageMode: distributed, edgeNode: ${d.id} }
replication: { factor: 2 }
placement: { distinctZones: true }
nats: { servers: ["${cityNats}"] }
index: { engine: sqlite }
`;
}

async function edgeSpec(id: string, hospitalId: string): Promise<EdgeSpec> {
  return { id, hospitalId, httpPort: await freePort(), dicomPort: await freePort(), aeTitle: id.toUpperCase() };
}

/** GET /api/edges (services/edge-gateway/edges-route.ts). */
export interface EdgesBody {
  readonly edges: readonly { readonly edgeNode: string; readonly online: boolean; readonly status?: { readonly queueDepth: number; readonly lastUploadAt?: number } }[];
}

/** Whether the city's /api/edges shows the edge online (its heartbeat crossed the leaf connection). */
export function edgeOnline(body: unknown, edgeId: string): boolean {
  return (body as EdgesBody | undefined)?.edges?.some((e) => e.edgeNode === edgeId && e.online) ?? false;
}

export async function startEdgeCity(name: string, o: EdgeCityOptions = {}): Promise<EdgeCity> {
  const pair = await startLeafPair({ name: `${name}-${process.pid}`, ...(o.slowLink ? { slowLink: o.slowLink } : {}) });
  const dir = tempDir(name);
  const ports = new Map<string, number>();
  for (const id of CITY_NODES) ports.set(id, await freePort());
  const cityDicom = await freePort();
  const centralized = await edgeSpec('edge-c', 'h-central');
  const distributed = await edgeSpec('edge-d', 'h-distrib');
  const file = join(dir, 'topology.yaml');
  writeFileSync(file, topologyYaml(`edge-${name}-${process.pid}`, pair.city.url, ports, centralized, distributed, cityDicom));
  const common = {
    YY_TOPOLOGY: file, YY_ADMIN_TOKEN: TOKEN, YY_HEARTBEAT_INTERVAL_SECONDS: '0.5', YY_HEARTBEAT_TIMEOUT_SECONDS: '3',
    YY_EDGE_HEARTBEAT_SECONDS: '0.5', YY_EDGE_STUDY_STABLE_SECONDS: '1', YY_EDGE_RETRY_BASE_SECONDS: '0.2', YY_EDGE_RETRY_MAX_SECONDS: '2',
    YY_STORAGE_REPAIR_INTERVAL_SECONDS: '3600',
  };
  const processes = new Map<string, NodeProcess>();
  const isEdge = (id: string) => id === centralized.id || id === distributed.id;
  const start = (id: string, extra?: Readonly<Record<string, string>>) => {
    const env: Record<string, string> = { ...common, YY_DATA_DIR: join(dir, id), ...(isEdge(id) ? { YY_NATS_URL: pair.hospital.url, ...o.edgeEnv?.[id] } : o.cityEnv), ...extra };
    const p = startYunying(['--node', id], env);
    processes.set(id, p);
    return p;
  };
  const signal = (ids: readonly string[], s: NodeJS.Signals) => { for (const id of ids) processes.get(id)?.child.kill(s); };
  const apiPort = ports.get('city-1') ?? 0;
  const headers = { authorization: `Bearer ${TOKEN}` };
  const city: EdgeCity = {
    dir, pair, apiPort, dicomweb: `http://127.0.0.1:${apiPort}/dicom-web`, headers, centralized, distributed, processes, start,
    cityDicom: { port: cityDicom, aeTitle: 'YUNYING' },
    async kill(id) {
      const p = processes.get(id);
      if (!p) return;
      p.child.kill('SIGCONT');
      p.child.kill('SIGKILL');
      await p.exited;
    },
    freeze: (ids) => signal(ids, 'SIGSTOP'),
    resume: (ids) => signal(ids, 'SIGCONT'),
    api: (path) => getJson(`http://127.0.0.1:${apiPort}${path}`, TOKEN),
    logs: () => [...processes].map(([id, p]) => `--- ${id}:\n${p.stderr().slice(-2500)}`).join('\n'),
    async stop() {
      for (const p of processes.values()) { p.child.kill('SIGCONT'); p.child.kill('SIGKILL'); }
      await Promise.all([...processes.values()].map((p) => p.exited));
      await pair.stop();
    },
  };
  try {
    for (const id of [...CITY_NODES, centralized.id, distributed.id]) start(id);
    await waitFor('the city api node', async () => ((await city.api('/health')).status === 200 ? true : undefined), 90_000, 250);
    await waitFor('storage-1 and storage-2 live', async () => {
      const body = (await city.api('/api/storage')).body as { nodes?: { id: string; live: boolean }[] };
      return ['storage-1', 'storage-2'].every((id) => body.nodes?.find((n) => n.id === id)?.live) ? true : undefined;
    }, 60_000, 250);
    for (const e of [centralized, distributed]) {
      await waitFor(`edge ${e.id} /health`, async () => ((await getJson(`http://127.0.0.1:${e.httpPort}/health`, TOKEN)).status === 200 ? true : undefined), 90_000, 250);
      await waitFor(`the city to show edge ${e.id} online in /api/edges`, async () => (edgeOnline((await city.api('/api/edges')).body, e.id) ? true : undefined), 60_000, 250);
    }
  } catch (error) {
    const logs = city.logs();
    await city.stop();
    throw new Error(`${(error as Error).message}\n${logs}`, { cause: error });
  }
  return city;
}
