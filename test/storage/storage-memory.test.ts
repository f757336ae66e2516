// A 1 GiB object sent to a storage node that reads slowly (its process is stopped 60 % of the time with
// SIGSTOP/SIGCONT) keeps that node's resident memory within 64 MiB of its idle size: the PUT body goes
// from the socket to the disk chunk by chunk, and TCP backpressure holds the sender back. The bytes are
// generated as a stream (never a 1 GiB buffer) and verified by the node's hash check.
import test from 'ava';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { deriveClusterSecret } from '../../lib/storage-model/cluster-secret.ts';
import { deleteBlob, headBlob, putBlob } from '../../storage-nodes/blob-http-client.ts';
import { startStorageCluster, TOKEN } from './storage-cluster.ts';

const SIZE = 1024 * 1024 * 1024;
const BLOCK = 1024 * 1024;
const MiB = 1024 * 1024;

function generate(): Readable {
  let block = 0;
  const base = createHash('sha512').update('yunying').digest();
  return new Readable({
    read() {
      if (block * BLOCK >= SIZE) { this.push(null); return; }
      const b = Buffer.alloc(BLOCK, base);
      b.writeUInt32BE(block, 0);
      b.writeUInt32BE(block, BLOCK - 4);
      block += 1;
      this.push(b);
    },
  });
}

function rssBytes(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m?.[1] ?? 0) * 1024;
}

test('a 1 GiB object into a slowly reading storage node keeps its RSS within 64 MiB of idle', async (t) => {
  t.timeout(600_000);
  const hash = createHash('sha256');
  for await (const chunk of generate()) hash.update(chunk as Buffer);
  const sha256 = hash.digest('hex');

  const cluster = await startStorageCluster('storage-memory', {
    storage: [{ id: 'storage-1', zone: 'dc1', capacity: '4GiB' }, { id: 'storage-2', zone: 'dc2' }],
    startNow: ['storage-1', 'storage-2'], factor: 2,
  });
  t.teardown(() => cluster.stop());
  const pid = cluster.processes.get('storage-1')?.child.pid ?? 0;
  let idle = 0;
  for (let i = 0; i < 10; i++) { idle = Math.max(idle, rssBytes(pid)); await new Promise((r) => setTimeout(r, 200)); }

  let peak = idle;
  let stopped = false;
  const sampler = setInterval(() => { peak = Math.max(peak, rssBytes(pid)); }, 50);
  const throttle = setInterval(() => {
    stopped = !stopped;
    process.kill(pid, stopped ? 'SIGSTOP' : 'SIGCONT');
  }, 40);
  const endpoint = { id: 'storage-1', url: `http://127.0.0.1:${cluster.ports.get('storage-1') ?? 0}` };
  const secret = deriveClusterSecret(TOKEN);
  const started = Date.now();
  try {
    const result = await putBlob(endpoint, secret, { sha256, size: SIZE, open: generate }, 60_000);
    t.false(result.existed);
  } finally {
    clearInterval(throttle);
    clearInterval(sampler);
    process.kill(pid, 'SIGCONT');
  }
  const seconds = (Date.now() - started) / 1000;
  t.log(`1 GiB in ${seconds.toFixed(1)} s (${(SIZE / MiB / seconds).toFixed(0)} MiB/s); storage-1 RSS idle ${(idle / MiB).toFixed(0)} MiB, peak ${(peak / MiB).toFixed(0)} MiB (+${((peak - idle) / MiB).toFixed(0)} MiB)`);
  t.is(await headBlob(endpoint, secret, sha256, 10_000), SIZE);
  t.true(peak - idle <= 64 * MiB, `RSS grew by ${((peak - idle) / MiB).toFixed(0)} MiB`);
  await deleteBlob(endpoint, secret, sha256, 10_000);
});
