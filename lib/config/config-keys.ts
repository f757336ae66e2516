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
  | { readonly kind: 'list'; readonly item: 'url' | 'hostPort' | 'aePeer' | 'aeAllowed' };

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
  dicomAllowedAes: { env: 'YY_DICOM_ALLOWED_AES', type: { kind: 'list', item: 'aeAllowed' },
    doc: { zh: '允许建立 DICOM 关联的调用方 AE：AET 或 AET@IP 地址（逗号分隔）。未设置时只接受来自本机回环地址的任意 AE。', en: 'Calling AE titles allowed to associate: AET or AET@ip-address (comma-separated). When unset, any AE from loopback is accepted and nothing else.' } },
  defaultCharacterSet: { env: 'YY_DEFAULT_CHARACTER_SET', type: { kind: 'string', pattern: /^[A-Za-z0-9_ -]{1,64}$/, hint: 'a DICOM character set term (GB18030, ISO_IR 192, ISO_IR 100, GBK ...)' }, default: 'GB18030',
    doc: { zh: '对象未声明 SpecificCharacterSet 时假定的字符集（中国医院默认 GB18030）。', en: 'Character set assumed when an object declares no SpecificCharacterSet (GB18030 for Chinese sites).' } },
  replaceDuplicates: { env: 'YY_REPLACE_DUPLICATES', type: { kind: 'enum', values: ['true', 'false'] }, default: 'false',
    doc: { zh: '同一 SOP 实例 UID 以不同内容再次到达时：true 替换已存储的实例，false 拒绝新对象（相同内容总是按重复成功处理）。', en: 'When a SOP Instance UID arrives again with other bytes: true replaces the stored instance, false rejects the new object (the same bytes always succeed as a duplicate).' } },
  maxObjectBytes: { env: 'YY_MAX_OBJECT_BYTES', type: count(1024, Number.MAX_SAFE_INTEGER), default: '4294967296',
    doc: { zh: '接收的单个 DICOM 对象的最大字节数；超出时以“存储空间不足”（A700）拒绝。', en: 'Largest DICOM object accepted, in bytes; a larger one is refused as out of resources (A700).' } },
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
  storageMaxFillRatio: { env: 'YY_STORAGE_MAX_FILL_RATIO', type: seconds(0.1, 1), default: '0.95',
    doc: { zh: '存储节点写入上限：已用空间超过容量的该比例时拒绝写入（“存储空间不足”）。', en: 'Storage nodes refuse writes ("out of resources") that would fill more than this share of their capacity.' } },
  storageWriteQuorum: { env: 'YY_STORAGE_WRITE_QUORUM', type: count(1, 16),
    doc: { zh: '写入成功所需的持久副本数，覆盖拓扑中的 replication.writeQuorum（默认多数派）。', en: 'Durable replicas a write needs before it is acknowledged; overrides replication.writeQuorum of the topology (default: majority).' } },
  storageRepairIntervalSeconds: { env: 'YY_STORAGE_REPAIR_INTERVAL_SECONDS', type: seconds(0.5, 86400), default: '60',
    doc: { zh: '修复节点两次反熵/再平衡/回收扫描之间的间隔（秒）。', en: 'Seconds between two anti-entropy / rebalance / garbage passes of the repair node.' } },
  storageRepairBytesPerSecond: { env: 'YY_STORAGE_REPAIR_BYTES_PER_SECOND', type: count(1024, 1e12), default: '52428800',
    doc: { zh: '修复、排空与再平衡在节点间复制数据的速率上限（字节/秒）。', en: 'Rate limit of the copies made by repair, drain and rebalance, in bytes per second.' } },
  storageScrubBytesPerSecond: { env: 'YY_STORAGE_SCRUB_BYTES_PER_SECOND', type: count(1024, 1e12), default: '10485760',
    doc: { zh: '每个存储节点后台校验（scrub）读取数据的速率上限（字节/秒）。', en: 'Rate limit of the scrubber that re-verifies every blob of a storage node, in bytes per second.' } },
  storageReleaseGraceSeconds: { env: 'YY_STORAGE_RELEASE_GRACE_SECONDS', type: seconds(0, 31536000), default: '86400',
    doc: { zh: '释放的 blob 在被删除前保留的时间（秒）；届时若仍被索引引用则保留。', en: 'How long a released blob is kept before its replicas are removed (seconds); a blob still referenced then is kept.' } },
  corsOrigins: { env: 'YY_CORS_ORIGINS', type: { kind: 'string', pattern: /^(\*|https?:\/\/[^\s,/]+(\s*,\s*https?:\/\/[^\s,/]+)*)$/, hint: '* or a comma-separated list of origins (https://viewer.example.org)' },
    doc: { zh: '允许跨域访问 /dicom-web 的来源：* 或逗号分隔的来源列表（如 https://viewer.example.org）。未设置时不发送 CORS 头。', en: 'Origins allowed to call /dicom-web from a browser: * or a comma-separated list (https://viewer.example.org). Unset: no CORS headers.' } },
  crossOriginIsolation: { env: 'YY_CROSS_ORIGIN_ISOLATION', type: { kind: 'enum', values: ['on', 'off'] }, default: 'off',
    doc: { zh: 'on 时 /dicom-web 响应带跨源隔离头（COOP same-origin、COEP require-corp、CORP cross-origin），供需要 SharedArrayBuffer 的查看器（OHIF MPR）使用。', en: 'When on, /dicom-web responses carry cross-origin isolation headers (COOP same-origin, COEP require-corp, CORP cross-origin) for viewers that need SharedArrayBuffer (OHIF MPR).' } },
  edgeUploadConcurrency: { env: 'YY_EDGE_UPLOAD_CONCURRENCY', type: count(1, 64), default: '4',
    doc: { zh: '前置机同时上传到市平台的对象数。', en: 'Objects an edge node uploads to the city at the same time.' } },
  edgeUploadBytesPerSecond: { env: 'YY_EDGE_UPLOAD_BYTES_PER_SECOND', type: count(0, 1e12), default: '0',
    doc: { zh: '前置机上传带宽上限（字节/秒），0 表示不限；用于不占满医院出口链路。', en: 'Upload bandwidth limit of an edge node, in bytes per second; 0 means no limit. Keeps the hospital link usable for other traffic.' } },
  edgeRetryBaseSeconds: { env: 'YY_EDGE_RETRY_BASE_SECONDS', type: seconds(0.05, 3600), default: '1',
    doc: { zh: '前置机上传失败后首次重试的等待时间（秒），之后指数增长并加随机抖动。', en: 'Wait before an edge retries a failed upload the first time, in seconds; it doubles with random jitter after that.' } },
  edgeRetryMaxSeconds: { env: 'YY_EDGE_RETRY_MAX_SECONDS', type: seconds(0.1, 86400), default: '60',
    doc: { zh: '前置机上传重试的最长等待时间（秒）。', en: 'Longest wait between two upload attempts of an edge, in seconds.' } },
  edgeStudyStableSeconds: { env: 'YY_EDGE_STUDY_STABLE_SECONDS', type: seconds(0.1, 86400), default: '60',
    doc: { zh: '检查在前置机上多久没有新实例到达后视为接收完毕，随后向市平台报告检查完整（秒）。', en: 'Seconds without a new instance after which an edge takes a study as received and reports it complete to the city.' } },
  edgeRetainDays: { env: 'YY_EDGE_RETAIN_DAYS', type: seconds(0, 36500), default: '7',
    doc: { zh: '集中存储模式下，影像上传成功后在前置机本地保留的天数；分布式存储模式下本地副本永久保留。', en: 'Days an edge of a centralized-storage hospital keeps its local copy after the upload succeeded; with distributed storage the local copy is always kept.' } },
  edgeHeartbeatSeconds: { env: 'YY_EDGE_HEARTBEAT_SECONDS', type: seconds(0.2, 600), default: '5',
    doc: { zh: '前置机向市平台报告状态（队列、磁盘、最近上传）的间隔（秒）。', en: 'Seconds between two status reports (queue, disk, last upload) of an edge to the city.' } },
  edgeFetchTimeoutSeconds: { env: 'YY_EDGE_FETCH_TIMEOUT_SECONDS', type: seconds(0.1, 600), default: '5',
    doc: { zh: '市平台从前置机调阅影像时等待其应答的最长时间（秒）；超时则返回 503 并说明原因。', en: 'How long the city waits for an edge to answer a retrieval, in seconds; past it the answer is 503 with the reason.' } },
  retrievalCacheBytes: { env: 'YY_RETRIEVAL_CACHE_BYTES', type: count(0, 1e12), default: '268435456',
    doc: { zh: '调阅缓存（近期调阅的帧与大数据字节段，内存 LRU）的字节上限；0 关闭缓存。', en: 'Byte bound of the retrieval cache (byte ranges of recently read frames and bulk data, in-memory LRU); 0 turns it off.' } },
  retrievalCacheMaxItemBytes: { env: 'YY_RETRIEVAL_CACHE_MAX_ITEM_BYTES', type: count(0, 1e12), default: '8388608',
    doc: { zh: '进入调阅缓存的单项最大字节数，更大的帧直接流式返回。', en: 'Largest item the retrieval cache keeps, in bytes; larger frames are streamed past it.' } },
  prefetchConcurrency: { env: 'YY_PREFETCH_CONCURRENCY', type: count(0, 64), default: '2',
    doc: { zh: '从前置机预取序列其余影像到市平台时的并发数；0 关闭预取。', en: 'Objects fetched at the same time when the rest of a series is prefetched from an edge to the city; 0 turns prefetch off.' } },
} as const satisfies Record<string, KeySpec>;

export type ConfigKey = keyof typeof CONFIG_KEYS;
