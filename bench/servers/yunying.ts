// Yunying as an operator starts it: `node bin/yunying.ts`, settings through YY_* variables, its data
// directory beside Orthanc's on the same disk, its own free ports and a bearer token.
import { mkdirSync, readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { startYunyingCluster } from './yunying-cluster.ts';
import { freePort, httpOk, startChild, stopChild, unexpectedExit, waitUntil, type BenchSystem, type Child } from './bench-system.ts';

const ROOT = join(import.meta.dirname, '..', '..');
/** bin/yunying.ts, started under a neutral name (see node-main.ts). */
const NODE_MAIN = join(import.meta.dirname, 'node-main.ts');
const AE_TITLE = 'YUNYING';

/**
 * embedded: the default of `npm start` (one process, SQLite, local disk).
 * cluster: a front node and 3 storage nodes over NATS and Cassandra (yunying-cluster.ts).
 */
export type YunyingMode = 'embedded' | 'cluster';

function version(): string {
  return (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
}

function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('YY_')));
}

export async function startYunyingEmbedded(dir: string): Promise<BenchSystem> {
  mkdirSync(dir, { recursive: true });
  const httpPort = await freePort();
  const dicomPort = await freePort();
  const token = randomBytes(24).toString('hex');
  const env = {
    ...cleanEnv(), YY_DATA_DIR: join(dir, 'data'), YY_HTTP_PORT: String(httpPort), YY_DICOM_PORT: String(dicomPort),
    YY_ADMIN_TOKEN: token, YY_LOG_LEVEL: 'warn',
  };
  const headers = { authorization: `Bearer ${token}` };
  let child: Child | undefined;
  const launch = async () => {
    const c = startChild(process.argv0, ['--disable-warning=ExperimentalWarning', NODE_MAIN], env, dir);
    child = c;
    await waitUntil('Yunying', () => httpOk(`http://127.0.0.1:${httpPort}/health`, headers), 60_000,
      () => (c.hasExited() ? `exited: ${c.stderrTail()}` : undefined));
  };
  await launch();
  return {
    name: 'yunying',
    description: `Yunying ${version()} (embedded default, SQLite, local disk; Node ${process.version})`,
    dicomweb: `http://127.0.0.1:${httpPort}/dicom-web`,
    headers,
    dataDir: dir,
    dicom: { host: '127.0.0.1', port: dicomPort, aeTitle: AE_TITLE },
    unexpectedExit: () => unexpectedExit([child]),
    pids: () => (child?.process.pid !== undefined && !child.hasExited() ? [child.process.pid] : []),
    restart: async () => {
      if (child) await stopChild(child);
      await launch();
    },
    stop: async () => {
      if (child) await stopChild(child);
    },
  };
}

export function startYunying(mode: YunyingMode, dir: string): Promise<BenchSystem> {
  switch (mode) {
    case 'embedded': return startYunyingEmbedded(dir);
    case 'cluster': return startYunyingCluster(dir);
  }
}
