// Broker options for one Yunying node: namespace per platform, NATS transporter (none in the
// embedded default), a binary-safe serializer, explicit timeouts, retries and circuit breaker, and
// node metadata (roles, zone, hospital) that every other node reads from its registry.
import type { BrokerOptions, Errors, Middleware } from 'moleculer';
import type { NodeRuntime } from './lib/config/resolve-node.ts';
import { PreciseDiscoverer } from './services/broker/precise-discoverer.ts';
import { formatLogEntry } from './lib/logging/format-log-entry.ts';

export interface NodeMetadata {
  readonly roles: readonly string[];
  readonly zone: string;
  readonly hospital?: string;
  readonly version: string;
  readonly platformLevel: string;
  readonly httpPort: number;
}

function transporter(runtime: NodeRuntime): BrokerOptions['transporter'] {
  if (!runtime.natsServers) return null;
  return {
    type: 'NATS',
    options: {
      servers: [...runtime.natsServers],
      name: `yunying-${runtime.node.id}`,
      // Reconnect for ever: a NATS restart or a broken leaf link must not end the node.
      maxReconnectAttempts: -1,
      reconnectTimeWait: 1000,
    },
  };
}

function isServerFault(error: Error): boolean {
  const code = (error as Partial<Errors.MoleculerError>).code;
  return typeof code !== 'number' || code >= 500;
}

export function createBrokerOptions(runtime: NodeRuntime, version: string, middlewares: readonly Middleware[]): BrokerOptions {
  const { config, node, topology } = runtime;
  const metadata: NodeMetadata = {
    roles: node.roles, zone: node.zone, version, platformLevel: topology.platform.level, httpPort: node.http.port,
    ...(node.hospital ? { hospital: node.hospital } : {}),
  };
  return {
    namespace: topology.platform.id,
    nodeID: node.id,
    transporter: transporter(runtime),
    // The default JSON serializer turns a Buffer into an array of numbers (~4x) and can exceed
    // NATS max_payload; CBOR carries bytes as bytes. Every node of a namespace must use the same.
    serializer: 'CBOR',
    requestTimeout: config.requestTimeoutSeconds * 1000,
    retryPolicy: {
      enabled: config.retryAttempts > 0,
      retries: config.retryAttempts,
      delay: 100,
      maxDelay: 2000,
      factor: 2,
      check: (error: Error) => (error as Partial<Errors.MoleculerError>).retryable === true,
    },
    circuitBreaker: {
      enabled: true,
      threshold: config.circuitBreakerThreshold,
      minRequestCount: 20,
      windowTime: config.circuitBreakerWindowSeconds,
      halfOpenTime: 10_000,
      check: isServerFault,
    },
    heartbeatInterval: config.heartbeatIntervalSeconds,
    heartbeatTimeout: config.heartbeatTimeoutSeconds,
    // A dead node leaves the registry within the heartbeat timeout (see PreciseDiscoverer).
    registry: { strategy: 'RoundRobin', preferLocal: true, discoverer: new PreciseDiscoverer() },
    metadata,
    logger: {
      type: 'Console',
      options: {
        formatter: config.logFormat === 'json'
          ? (level: string, args: unknown[], bindings: Record<string, unknown>) => [formatLogEntry(level, args, bindings)]
          : 'short',
        colors: false, moduleColors: false, autoPadding: false,
      },
    },
    logLevel: config.logLevel,
    // Metrics go through prom-client (monitoring/): Moleculer's reporter breaks Prometheus naming.
    metrics: false,
    tracing: false,
    middlewares: [...middlewares],
    // The node runner owns SIGTERM/SIGINT so that HTTP and DICOM listeners close first.
    skipProcessEventRegistration: true,
  };
}
