// Put and get throughput through the storage cluster (3 storage nodes in 2 zones, replication factor 2,
// real NATS and Cassandra, nodes as processes) next to the raw speed of this machine's disk (write +
// fsync, read) and of NATS (raw nats.js publish in max_payload chunks, and the credit-based chunk
// transfer of storage-nodes/nats-chunk-transfer.ts).
//   node --disable-warning=ExperimentalWarning bench/storage/cluster-throughput.ts [count50MB] [count512KB]
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { connect, createInbox } from 'nats';
import { startStorageCluster } from '../../test/storage/storage-cluster.ts';
import { startNats, tempDir } from '../../test/helpers/processes.ts';
import { sendChunked, serveChunkTransfers } from '../../storage-nodes/nats-chunk-transfer.ts';
import type { BlobSource } from '../../lib/blob-store/blob-store.ts';

const MB = 1e6;
const count50 = Number(process.argv[2] ?? 6);
const count512 = Number(process.argv[3] ?? 400);
const rows: string[] = [];

function source(bytes: Buffer): BlobSource {
  return { sha256: createHash('sha256').update(bytes).digest('hex'), size: bytes.length, open: () => Readable.from([bytes]) };
}

async function timed(label: string, bytes: number, count: number, work: () => Promise<void>): Promise<void> {
  const t = performance.now();
  await work();
  const s = (performance.now() - t) / 1000;
  const line = `${label.padEnd(44)} ${(bytes / MB / s).toFixed(1).padStart(7)} MB/s  ${(count / s).toFixed(1).padStart(8)} objects/s`;
  rows.push(line);
  console.log(line);
}

async function parallel<T>(items: readonly T[], n: number, work: (item: T) => Promise<void>): Promise<void> {
  let i = 0;
  await Promise.all(Array.from({ length: n }, async () => { while (i < items.length) await work(items[i++] as T); }));
}

async function drain(stream: Readable): Promise<void> {
  for await (const chunk of stream) void chunk;
}

async function rawDisk(objects: readonly Buffer[], label: string): Promise<void> {
  const dir = tempDir('bench-disk');
  mkdirSync(dir, { recursive: true });
  const total = objects.reduce((s, b) => s + b.length, 0);
  await timed(`raw disk write+fsync ${label}`, total, objects.length, async () => {
    await parallel(objects.map((b, i) => [b, i] as const), 4, async ([b, i]) => {
      const h = await open(join(dir, String(i)), 'w');
      await h.writeFile(b);
      await h.sync();
      await h.close();
    });
  });
  await timed(`raw disk read (page cache warm) ${label}`, total, objects.length, async () => {
    await parallel(objects.map((_, i) => i), 4, async (i) => { await readFile(join(dir, String(i))); });
  });
  rmSync(dir, { recursive: true, force: true });
}

async function rawNats(size: number): Promise<void> {
  const server = await startNats();
  try {
    const a = await connect({ servers: server.url });
    const b = await connect({ servers: server.url });
    const chunk = (a.info?.max_payload ?? 1048576) - 64;
    const payload = randomBytes(chunk);
    const subject = createInbox();
    let received = 0;
    const done = new Promise<void>((resolve) => {
      b.subscribe(subject, { callback: (_e, m) => { received += m.data.length; if (received >= size) resolve(); } });
    });
    await b.flush();
    await timed(`raw NATS publish ${size / MB} MB in ${chunk} B chunks`, size, 1, async () => {
      for (let sent = 0; sent < size; sent += chunk) a.publish(subject, payload.subarray(0, Math.min(chunk, size - sent)));
      await done;
    });
    serveChunkTransfers(b, 'bench.xfer', { window: 8, accept: (_meta, stream) => drain(stream) });
    await b.flush();
    const bytes = randomBytes(size);
    await timed(`NATS chunk transfer (credits, window 8) ${size / MB} MB`, size, 1, () =>
      sendChunked(a, 'bench.xfer', { id: 'b', sha256: 'x', size }, Readable.from([bytes]), 10_000));
    await a.close();
    await b.close();
  } finally {
    server.stop();
  }
}

async function cluster(big: readonly Buffer[], small: readonly Buffer[]): Promise<void> {
  const c = await startStorageCluster('bench', {
    storage: [{ id: 'storage-1', zone: 'dc1', capacity: '20GiB' }, { id: 'storage-2', zone: 'dc2', capacity: '20GiB' }, { id: 'storage-3', zone: 'dc1', capacity: '20GiB' }],
    startNow: ['storage-1', 'storage-2', 'storage-3'], factor: 2, env: { YY_LOG_LEVEL: 'error' },
  });
  try {
    for (const [objects, label, n] of [[big, '50 MB', 2], [small, '512 KB', 8]] as const) {
      const sources = objects.map(source);
      const total = objects.reduce((s, b) => s + b.length, 0);
      await timed(`cluster put ${label} (RF 2, quorum 2, ${n} parallel)`, total, objects.length, () => parallel(sources, n, async (s) => { await c.store.put(s); }));
      await timed(`cluster get ${label} (${n} parallel)`, total, objects.length, () => parallel(sources, n, async (s) => { await drain(await c.store.open(s.sha256)); }));
    }
  } finally {
    await c.stop();
  }
}

const big = Array.from({ length: count50 }, () => randomBytes(50 * MB));
const small = Array.from({ length: count512 }, () => randomBytes(512 * 1024));
console.log(`# ${count50} x 50 MB, ${count512} x 512 KB; ${new Date().toISOString()}`);
await rawDisk(big, '50 MB');
await rawDisk(small, '512 KB');
await rawNats(50 * MB);
await cluster(big, small);
process.exit(0);
