// Import CLI: npm run import -- <folder> [--topology FILE --node ID]
// Opens the archive of a node the way the node does (its index, its blob store, the one ingest path) in
// this process and ingests every file of the folder tree. The node itself must not be running: the
// embedded SQLite index belongs to one process and the archive empties its spool at start. A running
// node is detected (its HTTP port answers) and the import refuses to start; import into a running
// platform with STOW-RS instead.
import { connect } from 'node:net';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ServiceBroker } from 'moleculer';
import { Registry } from 'prom-client';
import { createBrokerOptions } from '../moleculer.config.ts';
import { ConfigError, loadConfig } from '../lib/config/load-config.ts';
import { resolveNode, type NodeRuntime } from '../lib/config/resolve-node.ts';
import { loadTopology } from '../topology/load-topology.ts';
import { findNode } from '../topology/topology-queries.ts';
import { TopologyError } from '../topology/topology-error.ts';
import { openIndexEngine } from '../services/index/open-index-engine.ts';
import { claimPlatform } from '../lib/index-model/claim-platform.ts';
import { needsArchive, openArchive } from '../services/archive/open-archive.ts';
import { createArchiveMetrics } from '../monitoring/archive-metrics.ts';
import { resolveAdminToken } from '../lib/security/admin-token.ts';
import { importFolder } from '../lib/import/import-folder.ts';
import { formatSummary, rejectedCount } from '../lib/import/import-summary.ts';
import { plainLine, progressBar } from '../lib/import/progress-line.ts';

const ROOT = join(import.meta.dirname, '..');
const EMBEDDED_TOPOLOGY = join(ROOT, 'topology', 'examples', 'embedded.yaml');
const USAGE = `usage: npm run import -- <folder> [--topology FILE --node NODE_ID]
  将文件夹（含子文件夹）中的 DICOM 文件导入节点的归档；节点须先停止。
  Imports the DICOM files of a folder tree into a node's archive; the node must not be running.
  Exit codes: 0 all stored or duplicates, 1 some rejected, 2 usage, 3 node running, 78 configuration.`;

const EXIT = { rejected: 1, usage: 2, nodeRunning: 3, config: 78 } as const;

function version(): string {
  return (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
}

function answers(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 1000 }, () => { socket.end(); resolve(true); });
    socket.on('error', () => resolve(false));
    socket.on('timeout', () => { socket.destroy(); resolve(false); });
  });
}

function runtimeOf(args: { topology?: string | undefined; node?: string | undefined }): NodeRuntime {
  const config = loadConfig(process.env);
  const topology = loadTopology(args.topology ?? config.topologyFile ?? EMBEDDED_TOPOLOGY);
  const only = topology.nodes.length === 1 ? topology.nodes[0]?.id : undefined;
  const nodeId = args.node ?? config.nodeId ?? only;
  if (nodeId === undefined) throw new ConfigError(['YY_NODE_ID: the topology has several nodes; say which node\'s archive to import into (--node)']);
  const runtime = resolveNode(topology, findNode(topology, nodeId), config, process.cwd());
  if (!needsArchive(runtime)) throw new ConfigError([`node ${nodeId} has no archive role (api, dimse, ingest, retrieval)`]);
  return runtime;
}

async function run(folder: string, runtime: NodeRuntime): Promise<number> {
  const broker = new ServiceBroker({
    ...createBrokerOptions(runtime, version(), []),
    // A client of the platform next to its nodes, never in their place.
    nodeID: `${runtime.node.id}-import-${process.pid}`,
    logger: false,
  });
  const engine = runtime.node.roles.includes('index') ? await openIndexEngine(runtime) : undefined;
  if (engine) {
    // What the node's index service does at start: a fresh data directory gets its schema and claim.
    await engine.migrate();
    await claimPlatform(engine, runtime.topology.platform.id, runtime.topology.platform.level);
  }
  const opened = await openArchive({
    runtime, broker, metrics: createArchiveMetrics(new Registry()), adminToken: resolveAdminToken(runtime.config.adminToken, runtime.dataDir).token,
    openEngine: () => openIndexEngine(runtime), ...(engine ? { engine } : {}),
  });
  await broker.start();
  const tty = process.stderr.isTTY;
  const started = performance.now();
  try {
    const summary = await importFolder(folder, {
      ingest: (body, context) => opened.archive.ingest(body, context), concurrency: 2,
      onFile: (file, result, state) => {
        if (tty) process.stderr.write(`\r${progressBar(state, process.stderr.columns)}`);
        else console.log(plainLine(file, result.status, result.status === 'rejected' ? result.reason : undefined));
      },
    });
    if (tty) process.stderr.write('\n');
    console.log(formatSummary(summary, (performance.now() - started) / 1000));
    return rejectedCount(summary) > 0 ? EXIT.rejected : 0;
  } finally {
    await broker.stop();
    await opened.close();
    await engine?.close();
  }
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { topology: { type: 'string' }, node: { type: 'string' }, help: { type: 'boolean' } } });
  const folder = positionals[0];
  if (values.help || folder === undefined || positionals.length > 1) {
    console.error(USAGE);
    return values.help ? 0 : EXIT.usage;
  }
  if (!statSync(folder, { throwIfNoEntry: false })?.isDirectory()) {
    console.error(`yunying-import: ${folder} is not a folder`);
    return EXIT.usage;
  }
  const runtime = runtimeOf(values);
  const { host, port } = runtime.node.http;
  if (await answers(host === '0.0.0.0' ? '127.0.0.1' : host, port)) {
    console.error(`yunying-import: 节点 ${runtime.node.id} 正在运行（${host}:${port} 有应答）：请先停止节点，或用 STOW-RS 导入。\n` +
      `yunying-import: node ${runtime.node.id} is running (${host}:${port} answers): stop it first, or import over STOW-RS.`);
    return EXIT.nodeRunning;
  }
  return run(folder, runtime);
}

try {
  process.exitCode = await main();
} catch (error) {
  if (error instanceof ConfigError || error instanceof TopologyError) {
    console.error(`yunying-import: ${error.message}`);
    process.exitCode = EXIT.config;
  } else {
    console.error(`yunying-import: ${(error as Error).stack ?? String(error)}`);
    process.exitCode = 1;
  }
}
