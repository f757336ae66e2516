// The operator CLI (npm run storage) against a real cluster: status lists the storage nodes, drain
// --wait follows an (empty) node until it is drained.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from '../helpers/processes.ts';
import { startStorageCluster, TOKEN } from './storage-cluster.ts';

function cli(args: readonly string[], api: string): { code: number | null; out: string } {
  const r = spawnSync(process.execPath, ['--disable-warning=ExperimentalWarning', join(ROOT, 'bin', 'yunying-storage.ts'), ...args, '--api', api, '--token', TOKEN], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

test('status shows every storage node; drain --wait returns once the node is drained', async (t) => {
  t.timeout(300_000);
  const cluster = await startStorageCluster('storage-cli', {
    storage: [{ id: 'storage-1', zone: 'dc1' }, { id: 'storage-2', zone: 'dc2' }, { id: 'storage-3', zone: 'dc1' }],
    startNow: ['storage-1', 'storage-2', 'storage-3'], factor: 2,
  });
  t.teardown(() => cluster.stop());
  const api = `http://127.0.0.1:${cluster.apiPort}`;
  const status = cli(['status'], api);
  t.is(status.code, 0, status.out);
  for (const id of ['storage-1', 'storage-2', 'storage-3']) t.regex(status.out, new RegExp(`^${id}\\s+dc\\d\\s+active`, 'm'));
  t.regex(status.out, /under-replicated: 0/);
  const drain = cli(['drain', 'storage-3', '--wait'], api);
  t.is(drain.code, 0, drain.out);
  t.regex(drain.out, /^storage-3\s+dc1\s+drained/m);
  t.is((await cluster.status()).nodes.find((n) => n.id === 'storage-3')?.state, 'drained');
  const unknown = cli(['drain', 'nope'], api);
  t.is(unknown.code, 1);
  t.regex(unknown.out, /404/);
});
