// Combines the validated topology with the environment's overrides into what one process runs.
import { isAbsolute, resolve } from 'node:path';
import type { IndexSettings, NodeSpec, Topology } from '../../topology/topology-types.ts';
import { ConfigError, type Config } from './load-config.ts';

export interface NodeRuntime {
  readonly topology: Topology;
  readonly node: NodeSpec;
  /** Absolute data directory of this process. */
  readonly dataDir: string;
  /** NATS servers; absent in the embedded default (no transporter). */
  readonly natsServers?: readonly string[];
  readonly index: IndexSettings;
  readonly config: Config;
}

const LOOPBACK = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|::1|localhost)$/;

export function isLoopback(host: string): boolean {
  return LOOPBACK.test(host);
}

function indexSettings(topology: Topology, config: Config): IndexSettings {
  const base = topology.index;
  if (base.engine !== 'cassandra' || !base.cassandra) return base;
  return {
    engine: 'cassandra',
    cassandra: {
      ...base.cassandra,
      contactPoints: config.cassandraContactPoints ?? base.cassandra.contactPoints,
      localDataCenter: config.cassandraLocalDataCenter ?? base.cassandra.localDataCenter,
    },
  };
}

function applyOverrides(node: NodeSpec, config: Config): NodeSpec {
  return {
    ...node,
    http: { host: config.httpHost ?? node.http.host, port: config.httpPort ?? node.http.port },
    ...(node.dicom ? { dicom: { ...node.dicom, port: config.dicomPort ?? node.dicom.port } } : {}),
  };
}

export function resolveNode(topology: Topology, node: NodeSpec, config: Config, cwd: string): NodeRuntime {
  const effective = applyOverrides(node, config);
  if (!isLoopback(effective.http.host) && config.adminToken === undefined) {
    throw new ConfigError([
      `YY_ADMIN_TOKEN: required when HTTP listens beyond loopback (${effective.http.host}); nothing is served beyond loopback without configured authentication`,
    ]);
  }
  const natsServers = config.natsUrl ?? topology.nats?.servers;
  if (topology.nodes.length > 1 && !natsServers) {
    throw new ConfigError(['YY_NATS_URL: a topology with several nodes needs NATS (set nats.servers in the topology or YY_NATS_URL)']);
  }
  const dataDir = isAbsolute(config.dataDir) ? config.dataDir : resolve(cwd, config.dataDir);
  return Object.freeze({
    topology,
    node: Object.freeze(effective),
    dataDir,
    ...(natsServers ? { natsServers } : {}),
    index: indexSettings(topology, config),
    config,
  });
}
