// The real stores side by side: storage-nodes/disk-store.ts (a file per blob: temp, fsync, rename, fsync
// dir) and storage-nodes/volume-store.ts (needles appended to a volume, group-committed fdatasync).
// For each blob size: sequential puts (each awaited) and `parallel` puts in flight, the two stores in
// alternating rounds (load from other processes on a shared machine then favours neither), then a
// warm full read of every blob. Finally the volume store's open-time index rebuild (the scan) is timed.
//   node bench/storage/volume-store-bench.ts [count8KB] [count512KB] [rounds] [parallel] [dir]
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import type { BlobSource } from '../../lib/blob-store/blob-store.ts';
import { createDiskStore, type DiskStore } from '../../storage-nodes/disk-store.ts';
import { createVolumeStore } from '../../storage-nodes/volume-store.ts';

const counts: Record<number, number> = { 8192: Number(process.argv[2] ?? 1000), 524_288: Number(process.argv[3] ?? 300) };
const rounds = Number(process.argv[4] ?? 2);
const parallel = Number(process.argv[5] ?? 8);
const root = process.argv[6] ?? join(tmpdir(), `yy-bench-volume-store-${process.pid}`);

function sourceOf(bytes: Buffer): BlobSource {
  return { sha256: createHash('sha256').update(bytes).digest('hex'), size: bytes.length, open: () => Readable.from([bytes]) };
}

type Make = (dir: string) => DiskStore & { close?: () => Promise<void> };
const stores: [string, Make][] = [
  ['files', (dir) => createDiskStore({ root: dir, nodeId: 'bench' })],
  ['volume', (dir) => createVolumeStore({ root: dir, nodeId: 'bench' })],
];

async function putAll(store: DiskStore, sources: readonly BlobSource[], inFlight: number): Promise<number> {
  const started = performance.now();
  let next = 0;
  const worker = async () => { while (next < sources.length) await store.put(sources[next++] as BlobSource); };
  await Promise.all(Array.from({ length: inFlight }, worker));
  return performance.now() - started;
}

async function readAllBlobs(store: DiskStore, sources: readonly BlobSource[]): Promise<number> {
  const started = performance.now();
  for (const s of sources) for await (const chunk of await store.open(s.sha256)) void chunk;
  return performance.now() - started;
}

const rate = (n: number, ms: number, size: number) => `${(n / (ms / 1000)).toFixed(0)}/s (${((n * size) / 1e6 / (ms / 1000)).toFixed(1)} MB/s)`;

async function round(size: number, r: number): Promise<void> {
  const count = counts[size] ?? 0;
  const sources = Array.from({ length: count }, () => sourceOf(randomBytes(size)));
  for (const [name, make] of r % 2 === 0 ? stores : [...stores].reverse()) {
    for (const inFlight of [1, parallel]) {
      const dir = join(root, `${name}-${size}-${inFlight}`);
      const store = make(dir);
      await store.usage();
      const write = await putAll(store, sources, inFlight);
      const read = inFlight === 1 ? `  read ${rate(count, await readAllBlobs(store, sources), size)}` : '';
      console.log(`round ${r + 1}  ${name.padEnd(6)} ${count} x ${size} B  ${String(inFlight).padStart(2)} in flight  put ${rate(count, write, size)}${read}`);
      await store.close?.();
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

async function scanCost(): Promise<void> {
  const dir = join(root, 'scan');
  const writer = createVolumeStore({ root: dir, nodeId: 'bench', rollBytes: 64 * 1024 * 1024 });
  const sources = Array.from({ length: 400 }, () => sourceOf(randomBytes(524_288)));
  await putAll(writer, sources, parallel);
  await writer.close();
  const started = performance.now();
  const reader = createVolumeStore({ root: dir, nodeId: 'bench', rollBytes: 64 * 1024 * 1024 });
  const usage = await reader.usage();
  const ms = performance.now() - started;
  console.log(`open-time scan: ${usage.objects} needles, ${(usage.usedBytes / 1e6).toFixed(0)} MB in 64 MiB volumes: ${ms.toFixed(0)} ms (${(ms / (usage.usedBytes / 1e9) / 1000).toFixed(2)} s per GB, warm cache)`);
  await reader.close();
}

try {
  for (let r = 0; r < rounds; r++) for (const size of [8192, 524_288]) await round(size, r);
  await scanCost();
} finally {
  rmSync(root, { recursive: true, force: true });
}
