// The composition root of one node: broker, the services of its roles, its HTTP server.
// Every node runs `node`; `index` the index service; `api`, `dimse`, `ingest`, `retrieval` the archive
// (DICOMweb and /api on api, the DIMSE SCP on dimse, the edge gateway on ingest, the retrieval router on
// all three readers); `storage` and `repair` the storage cluster; `edge` the hospital edge (services/edge).
// `recognition`, `qc`, `mpi` and `federation` are accepted and announced; their services come with their issues.
import { mkdirSync } from 'node:fs';
import { statfs } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { ServiceBroker } from 'moleculer';
import type { FastifyInstance } from 'fastify';
import { createBrokerOptions } from '../moleculer.config.ts';
import { createNodeMetrics, type NodeMetrics } from '../monitoring/node-metrics.ts';
import { isLoopback, type NodeRuntime } from '../lib/config/resolve-node.ts';
import type { DependencyStatus, StorageDisk } from '../lib/cluster/node-health.ts';
import type { IndexEngine, EngineHealth } from '../lib/index-model/index-engine.ts';
import { resolveAdminToken, type AdminToken } from '../lib/security/admin-token.ts';
import { createNodeService, readNodeHealth, type NodeServiceDeps } from './node/node.service.ts';
import { createIndexService } from './index/index.service.ts';
import { openIndexEngine } from './index/open-index-engine.ts';
import { buildHttp } from './api/build-http.ts';
import { createDicomwebPlugin, DICOMWEB_PREFIX } from './dicomweb/dicomweb-plugin.ts';
import { createRetrievalMetrics } from '../monitoring/retrieval-metrics.ts';
import { collectClusterView, readRegistry } from './api/cluster-view.ts';
import { probeNats } from './broker/probe-nats.ts';
import { attachStorage } from './storage/attach-storage.ts';
import { createArchiveMetrics } from '../monitoring/archive-metrics.ts';
import type { NodeArchive } from '../lib/archive/node-archive.ts';
import { needsArchive, openArchive } from './archive/open-archive.ts';
import type { DimseServer } from './dimse/dimse-server.ts';
import { createArchiveService } from './archive/archive.service.ts';
import { stopBroker } from './broker/stop-broker.ts';
import { readSeriesThumbnail } from '../lib/retrieval/series-thumbnails.ts';
import { routeRetrievals, type RoutedRetrievals } from './retrieval/route-retrievals.ts';
import { startEdgeGateway, type EdgeGateway } from './edge-gateway/start-edge-gateway.ts';
import { startPassThrough } from './remote/start-pass-through.ts';
import type { PassThrough } from '../lib/remote/pass-through.ts';
import { startEdge, type RunningEdge } from './edge/start-edge.ts';
import type { Registry } from 'prom-client';

export interface RunningNode {
  readonly broker: ServiceBroker;
  readonly http: FastifyInstance;
  readonly metrics: NodeMetrics;
  readonly adminToken: AdminToken;
  /** The port HTTP listens on (differs from the topology's when it asked for 0). */
  readonly httpPort: number;
  /** Nodes with the api, dimse, ingest or retrieval role: catalog, blob store and the ingest path. */
  readonly archive?: NodeArchive;
  /** The port the DIMSE SCP listens on (nodes with the dimse or edge role). */
  readonly dicomPort?: number;
  stop(): Promise<void>;
}

const HEALTH_CALL_TIMEOUT_SECONDS = 2;

function engineStatus(health: EngineHealth): DependencyStatus {
  return {
    name: 'index', state: health.ok ? 'up' : 'down', latencySeconds: health.latencySeconds,
    detail: health.ok ? `${health.engine} ${health.version ?? ''}`.trim() : `${health.engine}: ${health.error ?? 'unreachable'}`,
  };
}

async function indexStatus(broker: ServiceBroker, runtime: NodeRuntime, engine: IndexEngine | undefined): Promise<DependencyStatus> {
  if (engine) return engineStatus(await engine.health());
  if (!runtime.topology.nodes.some((n) => n.roles.includes('index'))) return { name: 'index', state: 'not-used' };
  try {
    return engineStatus(await broker.call<EngineHealth, Record<string, never>>('index.health', {}, { timeout: HEALTH_CALL_TIMEOUT_SECONDS * 1000, retries: 0 }));
  } catch (error) {
    return { name: 'index', state: 'down', detail: (error as Error).message };
  }
}

function dependencyChecks(broker: ServiceBroker, runtime: NodeRuntime, metrics: NodeMetrics, engine?: IndexEngine) {
  return async (): Promise<DependencyStatus[]> => {
    const statuses = await Promise.all([
      runtime.natsServers ? probeNats(broker, HEALTH_CALL_TIMEOUT_SECONDS * 1000) : { name: 'nats', state: 'not-used' } as const,
      indexStatus(broker, runtime, engine),
    ]);
    for (const s of statuses) if (s.state !== 'not-used') metrics.dependencyUp.set({ dependency: s.name }, s.state === 'up' ? 1 : 0);
    return statuses;
  };
}

function storageDisk(runtime: NodeRuntime): (() => Promise<StorageDisk>) | undefined {
  const spec = runtime.node.storage;
  if (!spec) return undefined;
  const path = isAbsolute(spec.path) ? spec.path : join(runtime.dataDir, spec.path);
  mkdirSync(path, { recursive: true });
  return async () => {
    const s = await statfs(path);
    return { path, capacityBytes: spec.capacityBytes, freeBytes: s.bavail * s.bsize };
  };
}

/** From the registry alone (no health calls), so a scrape stays cheap. */
function countClusterNodes(broker: ServiceBroker, metrics: NodeMetrics): void {
  const entries = readRegistry(broker);
  const available = entries.filter((e) => e.available).length;
  metrics.clusterNodes.set({ state: 'available' }, available);
  metrics.clusterNodes.set({ state: 'unavailable' }, entries.length - available);
}

/** DICOMweb under /dicom-web on api nodes that run the archive. */
function dicomwebPlugin(runtime: NodeRuntime, broker: ServiceBroker, metrics: NodeMetrics, token: string, archive: NodeArchive, engine: IndexEngine, passThrough?: PassThrough) {
  return {
    prefix: DICOMWEB_PREFIX,
    plugin: createDicomwebPlugin({
      archive, adminToken: token, retrievalMetrics: createRetrievalMetrics(metrics.registry), log: broker.getLogger('dicomweb'),
      ...(passThrough ? { passThrough } : {}),
      countError: () => metrics.errors.inc({ component: 'dicomweb' }),
      seriesThumbnail: (study, series) => readSeriesThumbnail(engine, study, series),
      options: {
        crossOriginIsolation: runtime.config.crossOriginIsolation === 'on', retryAfterSeconds: runtime.config.edgeFetchTimeoutSeconds,
        ...(runtime.config.corsOrigins ? { corsOrigins: runtime.config.corsOrigins } : {}),
      },
    }),
  };
}

/** The edge's C-STORE SCP: the dimse service's server on the edge's local archive (node AE and port). */
function edgeDicom(runtime: NodeRuntime, registry: Registry, log: ReturnType<ServiceBroker['getLogger']>) {
  return async (archive: NodeArchive): Promise<DimseServer> => {
    const dicom = runtime.node.dicom;
    if (!dicom) throw new Error(`node ${runtime.node.id}: an edge node needs a dicom block (port)`);
    const [{ startDimseServer }, { dimsePolicy }, { createDimseMetrics }] = await Promise.all([
      import('./dimse/dimse-server.ts'), import('./dimse/start-dimse.ts'), import('../monitoring/dimse-metrics.ts'),
    ]);
    return startDimseServer(dicom.port, {
      aeTitle: dicom.aeTitle, policy: dimsePolicy(runtime, dicom.aeTitle), peers: runtime.config.dicomPeers, archive,
      metrics: createDimseMetrics(registry), log, timeoutSeconds: Math.max(3, runtime.config.requestTimeoutSeconds),
    });
  };
}

export async function startNode(runtime: NodeRuntime, version: string): Promise<RunningNode> {
  const { node, topology } = runtime;
  mkdirSync(runtime.dataDir, { recursive: true });
  const metrics = createNodeMetrics({ platform: topology.platform.id, node: node.id, zone: node.zone, roles: node.roles, version });
  const broker = new ServiceBroker(createBrokerOptions(runtime, version, [metrics.brokerMiddleware]));
  const engine = node.roles.includes('index') ? await openIndexEngine(runtime) : undefined;
  if (engine) broker.createService(createIndexService({ engine, platformId: topology.platform.id, platformLevel: topology.platform.level }));
  const disk = storageDisk(runtime);
  const nodeDeps: NodeServiceDeps = {
    node, version, startedAt: Date.now(), dependencies: dependencyChecks(broker, runtime, metrics, engine),
    ...(disk ? { storageDisk: disk } : {}),
  };
  broker.createService(createNodeService(nodeDeps));
  metrics.refreshOnScrape('dependencyUp', nodeDeps.dependencies);
  if (node.roles.includes('api')) metrics.refreshOnScrape('clusterNodes', () => Promise.resolve(countClusterNodes(broker, metrics)));

  const adminToken = resolveAdminToken(runtime.config.adminToken, runtime.dataDir);
  const clusterView = node.roles.includes('api')
    ? async () => {
      const view = await collectClusterView(broker, HEALTH_CALL_TIMEOUT_SECONDS);
      metrics.clusterNodes.set({ state: 'available' }, view.nodes.length);
      metrics.clusterNodes.set({ state: 'unavailable' }, view.offline.length);
      return view;
    }
    : undefined;
  const opened = needsArchive(runtime)
    ? await openArchive({
      runtime, broker, metrics: createArchiveMetrics(metrics.registry), adminToken: adminToken.token,
      openEngine: () => openIndexEngine(runtime), ...(engine ? { engine } : {}),
    })
    : undefined;
  if (opened) broker.createService(createArchiveService(opened.archive.catalog));
  // Retrievals (DICOMweb, C-MOVE/C-GET) read through the router: cache, city, hospital edges.
  let routed: RoutedRetrievals | undefined;
  try {
    routed = opened ? await routeRetrievals({ runtime, archive: opened.archive, engine: opened.engine, registry: metrics.registry, log: broker.getLogger('retrieval') }) : undefined;
  } catch (error) {
    await opened?.close();
    await engine?.close();
    throw error;
  }
  const archive = routed?.archive;
  const passThrough = opened ? await startPassThrough({ runtime, archive: opened.archive, log: broker.getLogger('remote') }) : undefined;
  const http = buildHttp({
    metrics, adminToken: adminToken.token, loopbackOnly: isLoopback(node.http.host),
    nodeHealth: () => readNodeHealth(nodeDeps), log: broker.getLogger('http'),
    ...(clusterView ? { clusterView } : {}),
    ...(archive ? { archive } : {}),
    ...(opened && archive && node.roles.includes('api') ? { plugins: [dicomwebPlugin(runtime, broker, metrics, adminToken.token, archive, opened.engine, passThrough)] } : {}),
  });
  attachStorage({ runtime, broker, http, registry: metrics.registry, adminToken: adminToken.token, ...(engine ? { engine } : {}) });
  // Before the broker: the hospital's PACS is served even while the city cannot be reached.
  const edge: RunningEdge | undefined = node.roles.includes('edge')
    ? await startEdge({
      runtime, version, http, registry: metrics.registry, adminToken: adminToken.token, log: broker.getLogger('edge'),
      serveDicom: edgeDicom(runtime, metrics.registry, broker.getLogger('dimse')),
    })
    : undefined;

  let dimse: DimseServer | undefined;
  let gateway: EdgeGateway | undefined;
  try {
    if (opened) {
      gateway = await startEdgeGateway({
        runtime, http, archive: opened.archive, engine: opened.engine, log: broker.getLogger('edge-gateway'),
        emit: (event, payload) => { void broker.emit(event, payload); },
      });
    }
    await broker.start();
    await http.listen({ host: node.http.host, port: node.http.port });
    if (archive && node.roles.includes('dimse')) {
      // dcmjs-dimse loads its WebAssembly codecs at import: only nodes that serve DIMSE pay for that.
      const { startDimse } = await import('./dimse/start-dimse.ts');
      dimse = await startDimse({ runtime, archive, registry: metrics.registry, log: broker.getLogger('dimse'), ...(passThrough ? { passThrough } : {}) });
    }
  } catch (error) {
    await Promise.allSettled([http.close(), stopBroker(broker), dimse?.close(), edge?.close(), gateway?.close(), routed?.close()]);
    await opened?.close();
    await engine?.close();
    throw error;
  }
  const address = http.server.address();
  const httpPort = typeof address === 'object' && address ? address.port : node.http.port;
  return {
    broker, http, metrics, adminToken, httpPort,
    ...(archive ? { archive } : {}),
    ...(dimse ? { dicomPort: dimse.port } : {}),
    ...(edge ? { dicomPort: edge.dicomPort } : {}),
    async stop() {
      await edge?.close();
      await dimse?.close();
      await http.close();
      await gateway?.close();
      await routed?.close();
      await stopBroker(broker);
      await opened?.close();
      await engine?.close();
    },
  };
}
