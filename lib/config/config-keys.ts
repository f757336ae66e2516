// The configuration schema: every key, its environment variable, type, default and meaning.
// docs/configuration.md and the README's reference are generated from this list
// (scripts/gen-config-docs.ts); a test fails when they drift apart.

export type KeyKind =
  | { readonly kind: 'string'; readonly pattern?: RegExp; readonly hint?: string }
  | { readonly kind: 'secret'; readonly minLength: number }
  | { readonly kind: 'path' }
  | { readonly kind: 'port' }
  | { readonly kind: 'host' }
  | { readonly kind: 'number'; readonly min: number; readonly max: number; readonly integer: boolean }
  | { readonly kind: 'enum'; readonly values: readonly string[] }
  | { readonly kind: 'list'; readonly item: 'url' | 'hostPort' | 'aePeer' };

export interface KeySpec {
  readonly env: string;
  readonly type: KeyKind;
  /** Absent: the topology file or a built-in rule decides (explained in `doc`). */
  readonly default?: string;
  readonly doc: { readonly zh: string; readonly en: string };
}

const seconds = (min: number, max: number): KeyKind => ({ kind: 'number', min, max, integer: false });
const count = (min: number, max: number): KeyKind => ({ kind: 'number', min, max, integer: true });

export const CONFIG_KEYS = {
  dataDir: { env: 'YY_DATA_DIR', type: { kind: 'path' }, default: './data',
    doc: { zh: '数据目录：SQLite 索引、本地 blob、管理令牌。', en: 'Data directory: SQLite index, local blobs, admin token.' } },
  topologyFile: { env: 'YY_TOPOLOGY', type: { kind: 'path' },
    doc: { zh: '拓扑文件；未设置时运行内置的单进程嵌入式拓扑。', en: 'Topology file; when unset the built-in embedded topology runs.' } },
  nodeId: { env: 'YY_NODE_ID', type: { kind: 'string', pattern: /^[a-z][a-z0-9-]{0,62}$/, hint: 'a node id of the topology' },
    doc: { zh: '本进程运行的拓扑节点 ID（与 --node 相同）。', en: 'The topology node this process runs (same as --node).' } },
  natsUrl: { env: 'YY_NATS_URL', type: { kind: 'list', item: 'url' },
    doc: { zh: 'NATS 服务器（逗号分隔），覆盖拓扑中的 nats.servers。', en: 'NATS servers (comma-separated); overrides nats.servers of the topology.' } },
  cassandraContactPoints: { env: 'YY_CASSANDRA_CONTACT_POINTS', type: { kind: 'list', item: 'hostPort' },
    doc: { zh: 'Cassandra 联系点 host:port（逗号分隔），覆盖拓扑中的设置。', en: 'Cassandra contact points host:port (comma-separated); overrides the topology.' } },
  cassandraLocalDataCenter: { env: 'YY_CASSANDRA_LOCAL_DC', type: { kind: 'string', pattern: /^[\w.-]{1,64}$/ },
    doc: { zh: 'Cassandra 本地数据中心名，覆盖拓扑中的设置。', en: 'Cassandra local data center; overrides the topology.' } },
  httpHost: { env: 'YY_HTTP_HOST', type: { kind: 'host' },
    doc: { zh: 'HTTP 监听地址，覆盖拓扑节点的 http.host（默认 127.0.0.1）。非回环地址需要设置 YY_ADMIN_TOKEN。', en: 'HTTP listen address; overrides the node\'s http.host (default 127.0.0.1). A non-loopback address requires YY_ADMIN_TOKEN.' } },
  httpPort: { env: 'YY_HTTP_PORT', type: { kind: 'port' },
    doc: { zh: 'HTTP 端口，覆盖拓扑节点的 http.port（嵌入式默认 8060）。', en: 'HTTP port; overrides the node\'s http.port (embedded default 8060).' } },
  dicomPort: { env: 'YY_DICOM_PORT', type: { kind: 'port' },
    doc: { zh: 'DICOM 端口，覆盖拓扑节点的 dicom.port（嵌入式默认 11112）。', en: 'DICOM port; overrides the node\'s dicom.port (embedded default 11112).' } },
  adminToken: { env: 'YY_ADMIN_TOKEN', type: { kind: 'secret', minLength: 16 },
    doc: { zh: 'HTTP API 的 Bearer 令牌（至少 16 个字符）。未设置时首次启动生成并保存在数据目录的 admin-token 文件中，只打印一次。', en: 'Bearer token of the HTTP API (16+ characters). When unset, one is generated at first start, kept in admin-token in the data directory, and printed once.' } },
  dicomPeers: { env: 'YY_DICOM_PEERS', type: { kind: 'list', item: 'aePeer' },
    doc: { zh: 'C-MOVE 目的地 AET@host:port（逗号分隔）。', en: 'C-MOVE destinations AET@host:port (comma-separated).' } },
  logLevel: { env: 'YY_LOG_LEVEL', type: { kind: 'enum', values: ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] }, default: 'info',
    doc: { zh: '日志级别。日志从不包含患者姓名或 ID。', en: 'Log level. Logs never contain patient names or IDs.' } },
  logFormat: { env: 'YY_LOG_FORMAT', type: { kind: 'enum', values: ['json', 'text'] }, default: 'json',
    doc: { zh: '日志格式：json（结构化，每行一条）或 text。', en: 'Log format: json (structured, one entry per line) or text.' } },
  requestTimeoutSeconds: { env: 'YY_REQUEST_TIMEOUT_SECONDS', type: seconds(0.1, 600), default: '10',
    doc: { zh: '节点间调用超时（秒）。', en: 'Timeout of calls between nodes, in seconds.' } },
  retryAttempts: { env: 'YY_RETRY_ATTEMPTS', type: count(0, 10), default: '3',
    doc: { zh: '可重试错误的重试次数（指数退避）。', en: 'Retries of retryable errors (exponential backoff).' } },
  circuitBreakerThreshold: { env: 'YY_CIRCUIT_BREAKER_THRESHOLD', type: seconds(0.01, 1), default: '0.5',
    doc: { zh: '熔断阈值：窗口内失败比例达到该值时打开熔断。', en: 'Circuit breaker: failure ratio within the window that opens the circuit.' } },
  circuitBreakerWindowSeconds: { env: 'YY_CIRCUIT_BREAKER_WINDOW_SECONDS', type: seconds(1, 3600), default: '60',
    doc: { zh: '熔断统计窗口（秒）。', en: 'Circuit breaker window, in seconds.' } },
  heartbeatIntervalSeconds: { env: 'YY_HEARTBEAT_INTERVAL_SECONDS', type: seconds(0.2, 60), default: '5',
    doc: { zh: '节点心跳间隔（秒）。', en: 'Node heartbeat interval, in seconds.' } },
  heartbeatTimeoutSeconds: { env: 'YY_HEARTBEAT_TIMEOUT_SECONDS', type: seconds(0.5, 300), default: '15',
    doc: { zh: '超过该时间未收到心跳的节点被视为离线（秒）。', en: 'A node silent for this long is taken as gone, in seconds.' } },
  shutdownTimeoutSeconds: { env: 'YY_SHUTDOWN_TIMEOUT_SECONDS', type: seconds(1, 600), default: '30',
    doc: { zh: '收到 SIGTERM/SIGINT 后等待进行中的请求完成的最长时间（秒）。', en: 'How long SIGTERM/SIGINT waits for work in flight, in seconds.' } },
} as const satisfies Record<string, KeySpec>;

export type ConfigKey = keyof typeof CONFIG_KEYS;
