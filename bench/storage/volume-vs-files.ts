// Does packing small blobs into an append-only volume file (Haystack / SeaweedFS style) pay on this
// machine? Writes N blobs of SIZE bytes two ways, each durable before the next is acknowledged:
//   files:  temp file, write, fsync, rename, fsync directory (storage-nodes/disk-store.ts)
//   volume: append to one open volume file, fsync (the needle index would live in memory / the index)
// then reads every blob back once (page cache dropped is not possible without root: reads are warm).
//   node bench/storage/volume-vs-files.ts [count] [sizeBytes] [dir] [rounds]
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { open, rename, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tmpdir } from 'node:os';

const count = Number(process.argv[2] ?? 10_000);
const size = Number(process.argv[3] ?? 8192);
const root = process.argv[4] ?? join(tmpdir(), `yy-bench-volume-${process.pid}`);
const payload = randomBytes(size);

async function fsyncDir(dir: string): Promise<void> {
  const h = await open(dir, 'r');
  try { await h.sync(); } finally { await h.close(); }
}

async function filePerBlob(dir: string): Promise<{ write: number; read: number }> {
  mkdirSync(join(dir, 'tmp'), { recursive: true });
  const names: string[] = [];
  let t = performance.now();
  for (let i = 0; i < count; i++) {
    const name = randomUUID();
    const sub = join(dir, name.slice(0, 2), name.slice(2, 4));
    mkdirSync(sub, { recursive: true });
    const temp = join(dir, 'tmp', `${name}.part`);
    const h = await open(temp, 'wx');
    await h.writeFile(payload);
    await h.sync();
    await h.close();
    await rename(temp, join(sub, name));
    await fsyncDir(sub);
    names.push(join(sub, name));
  }
  const write = performance.now() - t;
  t = performance.now();
  for (const n of names) await readFile(n);
  return { write, read: performance.now() - t };
}

async function volume(dir: string): Promise<{ write: number; read: number }> {
  mkdirSync(dir, { recursive: true });
  const h = await open(join(dir, 'volume-0001.dat'), 'a+');
  const offsets: number[] = [];
  let offset = 0;
  let t = performance.now();
  for (let i = 0; i < count; i++) {
    await h.write(payload, 0, size, null);
    await h.sync();
    offsets.push(offset);
    offset += size;
  }
  const write = performance.now() - t;
  t = performance.now();
  const buffer = Buffer.alloc(size);
  for (const o of offsets) await h.read(buffer, 0, size, o);
  await h.close();
  return { write, read: performance.now() - t };
}

const report = (name: string, r: { write: number; read: number }) => {
  const mb = (count * size) / 1e6;
  console.log(`${name.padEnd(7)} ${count} x ${size} B  write ${(count / (r.write / 1000)).toFixed(0)} blobs/s (${(mb / (r.write / 1000)).toFixed(1)} MB/s)  read ${(count / (r.read / 1000)).toFixed(0)} blobs/s (${(mb / (r.read / 1000)).toFixed(1)} MB/s)`);
};

// Run the two alternately (files, volume, files, volume) so that load from other processes on a shared
// machine does not favour one of them.
const rounds = Number(process.argv[5] ?? 2);
try {
  for (let r = 0; r < rounds; r++) {
    report('files', await filePerBlob(join(root, 'files')));
    rmSync(join(root, 'files'), { recursive: true, force: true });
    report('volume', await volume(join(root, 'volume')));
    rmSync(join(root, 'volume'), { recursive: true, force: true });
  }
} finally {
  rmSync(root, { recursive: true, force: true });
}
