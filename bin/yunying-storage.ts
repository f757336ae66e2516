// Operator CLI for the storage cluster, over the HTTP API of an api node (bearer token).
//   npm run storage -- status [--watch]            nodes, fill, replication, moves in flight
//   npm run storage -- drain NODE_ID [--wait]      start a drain; --wait shows progress until drained
// Settings: YY_STORAGE_API (default http://127.0.0.1:8060), YY_ADMIN_TOKEN (or --token).
import { parseArgs } from 'node:util';

interface NodeRow { id: string; zone: string; state: string; live: boolean; capacityBytes: number; usedBytes: number; objects: number }
interface Status { nodes: NodeRow[]; underReplicated: number; movesInFlight: number; lastPass?: { finishedAt: string; copies: number; removals: number } }

const USAGE = `usage: npm run storage -- status [--watch] | drain NODE_ID [--wait]  [--api URL] [--token TOKEN]
  查看存储集群状态 / 排空节点。 Shows the storage cluster / drains a node.`;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { api: { type: 'string' }, token: { type: 'string' }, watch: { type: 'boolean' }, wait: { type: 'boolean' }, help: { type: 'boolean' } },
});
const api = (values.api ?? process.env.YY_STORAGE_API ?? 'http://127.0.0.1:8060').replace(/\/$/, '');
const token = values.token ?? process.env.YY_ADMIN_TOKEN ?? '';

async function request(method: 'GET' | 'POST', path: string): Promise<Status> {
  const response = await fetch(`${api}${path}`, { method, headers: { authorization: `Bearer ${token}`, 'accept-language': 'zh-CN,en;q=0.5' } });
  const body = (await response.json()) as Status & { title?: string; detail?: string };
  if (!response.ok) throw new Error(`${response.status} ${body.title ?? ''}: ${body.detail ?? ''}`);
  return body;
}

const gib = (n: number) => `${(n / 2 ** 30).toFixed(1)} GiB`;

function render(s: Status): string {
  const rows = s.nodes.map((n) => {
    const fill = n.capacityBytes > 0 ? (100 * n.usedBytes) / n.capacityBytes : 0;
    return `${n.id.padEnd(16)} ${n.zone.padEnd(8)} ${(n.live ? n.state : `${n.state} (offline)`).padEnd(20)} ${gib(n.usedBytes).padStart(10)} / ${gib(n.capacityBytes).padEnd(10)} ${fill.toFixed(1).padStart(5)} %  ${String(n.objects).padStart(9)} blobs`;
  });
  const pass = s.lastPass ? `last pass ${s.lastPass.finishedAt}: ${s.lastPass.copies} copies, ${s.lastPass.removals} removals` : 'no repair pass yet';
  return [
    `${'node'.padEnd(16)} ${'zone'.padEnd(8)} ${'state'.padEnd(20)} ${'used'.padStart(10)}   ${'capacity'.padEnd(10)}  fill       objects`,
    ...rows,
    `副本不足 / under-replicated: ${s.underReplicated}   迁移中 / moves in flight: ${s.movesInFlight}   ${pass}`,
  ].join('\n');
}

async function watch(until: (s: Status) => boolean): Promise<void> {
  for (;;) {
    const s = await request('GET', '/api/storage');
    console.log(`\n${new Date().toISOString()}\n${render(s)}`);
    if (until(s)) return;
    await new Promise((r) => setTimeout(r, 2000));
  }
}

async function main(): Promise<void> {
  const [command, nodeId] = positionals;
  if (values.help || command === undefined) { console.log(USAGE); return; }
  if (command === 'status') {
    if (values.watch) await watch(() => false);
    else console.log(render(await request('GET', '/api/storage')));
    return;
  }
  if (command === 'drain' && nodeId) {
    const s = await request('POST', `/api/storage/nodes/${encodeURIComponent(nodeId)}/drain`);
    console.log(`排空已开始 / drain started: ${nodeId}\n${render(s)}`);
    if (values.wait) await watch((x) => x.nodes.find((n) => n.id === nodeId)?.state === 'drained');
    return;
  }
  console.error(USAGE);
  process.exitCode = 64;
}

main().catch((error: unknown) => { console.error(`yunying-storage: ${(error as Error).message}`); process.exitCode = 1; });
