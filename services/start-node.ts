// The composition root of one node: broker, the services of its roles, its HTTP server.
// Roles with services today: every node runs `node`; `index` runs the index service; `api` serves
// /api. The other roles are accepted and announced; their services arrive with their issues.
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

export interface RunningNode {
  readonly broker: ServiceBroker;
  readonly http: FastifyInstance;
  readonly metrics: NodeMetrics;
  readonly adminToken: AdminToken;
  /** The port HTTP listens on (differs from the topology's when it asked for 0). */
  readonly httpPort: number;
  /** Nodes with the api, dimse, ingest or retrieval role: catalog, blob store and the ingest path. */
  readonly archive?: NodeArchive;
  /** The port the DIMSE SCP listens on (nodes with the dimse role). */
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
function dicomwebPlugin(runtime: NodeRuntime, broker: ServiceBroker, metrics: NodeMetrics, token: string, archive: NodeArchive) {
  return {
    prefix: DICOMWEB_PREFIX,
    plugin: createDicomwebPlugin({
      archive, adminToken: token, retrievalMetrics: createRetrievalMetrics(metrics.registry), log: broker.getLogger('dicomweb'),
      countError: () => metrics.errors.inc({ component: 'dicomweb' }),
      options: { crossOriginIsolation: runtime.config.crossOriginIsolation === 'on', ...(runtime.config.corsOrigins ? { corsOrigins: runtime.config.corsOrigins } : {}) },
    }),
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
  const http = buildHttp({
    metrics, adminToken: adminToken.token, loopbackOnly: isLoopback(node.http.host),
    nodeHealth: () => readNodeHealth(nodeDeps), log: broker.getLogger('http'),
    ...(clusterView ? { clusterView } : {}),
    ...(opened ? { archive: opened.archive } : {}),
    ...(opened && node.roles.includes('api') ? { plugins: [dicomwebPlugin(runtime, broker, metrics, adminToken.token, opened.archive)] } : {}),
  });
  attachStorage({ runtime, broker, http, registry: metrics.registry, adminToken: adminToken.token, ...(engine ? { engine } : {}) });

  let dimse: DimseServer | undefined;
  try {
    await broker.start();
    await http.listen({ host: node.http.host, port: node.http.port });
    if (opened && node.roles.includes('dimse')) {
      // dcmjs-dimse loads its WebAssembly codecs at import: only nodes that serve DIMSE pay for that.
      const { startDimse } = await import('./dimse/start-dimse.ts');
      dimse = await startDimse({ runtime, archive: opened.archive, registry: metrics.registry, log: broker.getLogger('dimse') });
    }
  } catch (error) {
    await Promise.allSettled([http.close(), broker.stop(), dimse?.close()]);
    await opened?.close();
    await engine?.close();
    throw error;
  }
  const address = http.server.address();
  const httpPort = typeof address === 'object' && address ? address.port : node.http.port;
  return {
    broker, http, metrics, adminToken, httpPort,
    ...(opened ? { archive: opened.archive } : {}),
    ...(dimse ? { dicomPort: dimse.port } : {}),
    async stop() {
      await dimse?.close();
      await http.close();
      await broker.stop();
      await opened?.close();
      await engine?.close();
    },
  };
}
