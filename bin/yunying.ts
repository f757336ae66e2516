// Entry point of every Yunying process.
//   npm start                                    the embedded default: one process, every role
//   npm run node -- --topology FILE --node ID    one node of a topology (or YY_TOPOLOGY / YY_NODE_ID)
// Only this file reads the environment and the command line.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../lib/config/load-config.ts';
import { resolveNode } from '../lib/config/resolve-node.ts';
import { loadTopology, topologyWarnings } from '../topology/load-topology.ts';
import { findNode } from '../topology/topology-queries.ts';
import { TopologyError } from '../topology/topology-error.ts';
import { startNode, type RunningNode } from '../services/start-node.ts';
import { PlatformMismatchError } from '../lib/index-model/claim-platform.ts';
import { IndexUnavailableError } from '../lib/index-model/index-model-error.ts';

const ROOT = join(import.meta.dirname, '..');
export const EMBEDDED_TOPOLOGY = join(ROOT, 'topology', 'examples', 'embedded.yaml');
const USAGE = `usage: yunying [--topology FILE] [--node NODE_ID]
  无参数时运行嵌入式默认配置（单进程、SQLite、本地磁盘）。
  Without arguments runs the embedded default (one process, SQLite, local disk).
  Settings: YY_* environment variables, see docs/configuration.md.`;

/** Exit code for configuration errors (sysexits EX_CONFIG). */
const EX_CONFIG = 78;

function version(): string {
  return (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
}

async function start(): Promise<{ running: RunningNode; shutdownTimeoutSeconds: number }> {
  const args = parseArgs({ options: { topology: { type: 'string' }, node: { type: 'string' }, help: { type: 'boolean' } } }).values;
  if (args.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const config = loadConfig(process.env);
  const topology = loadTopology(args.topology ?? config.topologyFile ?? EMBEDDED_TOPOLOGY);
  const only = topology.nodes.length === 1 ? topology.nodes[0]?.id : undefined;
  const nodeId = args.node ?? config.nodeId ?? only;
  if (nodeId === undefined) throw new ConfigError(['YY_NODE_ID: the topology has several nodes; say which one this process runs (--node or YY_NODE_ID)']);
  const runtime = resolveNode(topology, findNode(topology, nodeId), config, process.cwd());
  for (const warning of topologyWarnings(topology)) console.error(`yunying: warning: ${warning}`);
  const running = await startNode(runtime, version());
  if (running.adminToken.generated) {
    // Shown once, on the terminal only; later starts read it from the data directory.
    console.error(`\n  管理令牌 / admin token (only shown now; kept in ${join(runtime.dataDir, 'admin-token')}):\n  ${running.adminToken.token}\n`);
  }
  console.error(`yunying: node ${runtime.node.id} (${runtime.node.roles.join(', ')}) of ${topology.platform.id} listening on http://${runtime.node.http.host}:${running.httpPort}`);
  return { running, shutdownTimeoutSeconds: config.shutdownTimeoutSeconds };
}

function describe(error: unknown): { text: string; code: number } {
  if (error instanceof ConfigError || error instanceof TopologyError) return { text: error.message, code: EX_CONFIG };
  const e = error as NodeJS.ErrnoException & { address?: string; port?: number };
  if (error instanceof PlatformMismatchError || error instanceof IndexUnavailableError) return { text: error.message, code: 1 };
  if (e.code === 'EADDRINUSE') return { text: `address ${e.address ?? ''}:${e.port ?? ''} is in use (YY_HTTP_PORT or the node's http.port)`, code: 1 };
  return { text: e.stack ?? String(error), code: 1 };
}

try {
  const { running, shutdownTimeoutSeconds } = await start();
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.error(`yunying: ${signal}: stopping`);
    const timer = setTimeout(() => { console.error('yunying: shutdown timed out'); process.exit(1); }, shutdownTimeoutSeconds * 1000);
    timer.unref();
    running.stop().then(() => process.exit(0), (error: unknown) => { console.error(describe(error).text); process.exit(1); });
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
} catch (error) {
  const { text, code } = describe(error);
  console.error(`yunying: ${text}`);
  process.exit(code);
}
