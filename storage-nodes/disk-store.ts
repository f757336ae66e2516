// One local disk as a content-addressed blob store: the embedded default's BlobStore, and the disk of
// every storage node. Writes go to a temp file, are fsynced, renamed into place and the directory
// fsynced, so a blob is either absent or whole after a crash. Reads are verified: a blob up to
// `verifyBeforeSendBytes` is hashed before its first byte is returned (so a corrupt replica fails the
// request and the caller can read another one); a larger full read is hashed as it streams and errors at
// its end; a range of a larger blob is not hashed here (the scrubber re-verifies every blob at a bounded
// rate; see README). Writes above the fill level are refused with FULL.
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat, statfs, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough, Transform, type Readable } from 'node:stream';
import { BlobStoreError, isSha256, type BlobSource, type BlobStat, type BlobStore, type ByteRange, type StoredBlob } from '../lib/blob-store/blob-store.ts';

export interface DiskStoreOptions {
  readonly root: string;
  /** The ID recorded as the replica holder. */
  readonly nodeId: string;
  /** Capacity the node offers (the topology's); default: the file system's size. */
  readonly capacityBytes?: number;
  /** Writes that would fill more than this share of the capacity are refused (default 0.95). */
  readonly maxFillRatio?: number;
  /** Blobs up to this size are verified before the first byte is returned (default 16 MiB). */
  readonly verifyBeforeSendBytes?: number;
}

export interface DiskUsage {
  readonly capacityBytes: number;
  readonly usedBytes: number;
  readonly objects: number;
}

/** The BlobStore of one disk, plus what a storage node needs to manage it. */
export interface DiskStore extends BlobStore {
  usage(): Promise<DiskUsage>;
  /** Every blob on the disk, in no particular order. */
  list(): AsyncGenerator<BlobStat>;
  /** Removes the blob now (the cluster applies the grace period before asking). */
  remove(sha256: string): Promise<boolean>;
  /** Reads the whole blob and compares its hash: false when corrupt, undefined when absent. */
  verify(sha256: string): Promise<boolean | undefined>;
  /** The blobs whose hash starts with `bucket` (two hex digits). */
  listBucket(bucket: string): Promise<BlobStat[]>;
  /** Moves a corrupt blob out of the way (kept under quarantine/ for inspection). */
  quarantine(sha256: string): Promise<boolean>;
}

const MiB = 1024 * 1024;

function blobPath(root: string, sha256: string): string {
  if (!isSha256(sha256)) throw new BlobStoreError('NOT_FOUND', 'not a SHA-256 hex digest');
  return join(root, sha256.slice(0, 2), sha256.slice(2, 4), sha256);
}

async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try { await handle.sync(); } finally { await handle.close(); }
}

async function writeDurably(root: string, source: BlobSource): Promise<void> {
  const final = blobPath(root, source.sha256);
  const dir = join(final, '..');
  await mkdir(dir, { recursive: true });
  const temp = join(root, 'tmp', `${randomUUID()}.part`);
  const hash = createHash('sha256');
  let size = 0;
  const handle = await open(temp, 'wx');
  try {
    // Each chunk is awaited before the next is read: the source never runs ahead of the disk.
    for await (const chunk of source.open()) {
      const bytes = chunk as Buffer;
      hash.update(bytes);
      size += bytes.length;
      let written = 0;
      while (written < bytes.length) written += (await handle.write(bytes, written)).bytesWritten;
    }
    const digest = hash.digest('hex');
    if (digest !== source.sha256 || size !== source.size) {
      throw new BlobStoreError('HASH_MISMATCH', `bytes hash to ${digest} (${size} bytes), expected ${source.sha256} (${source.size} bytes)`);
    }
    await handle.sync();
  } catch (error) {
    await handle.close();
    await rm(temp, { force: true });
    throw error;
  }
  await handle.close();
  await rename(temp, final);
  await fsyncDir(dir);
}

/** Passes bytes through and errors the stream with CORRUPT at its end when they do not hash to `expected`. */
export function verifying(expected: string): Transform {
  const hash = createHash('sha256');
  return new Transform({
    transform(chunk: Buffer, _encoding, done) { hash.update(chunk); done(null, chunk); },
    flush(done) {
      const digest = hash.digest('hex');
      done(digest === expected ? null : new BlobStoreError('CORRUPT', `blob ${expected} reads back as ${digest}`));
    },
  });
}

async function hashFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: MiB })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

function emptyStream(): Readable {
  const empty = new PassThrough();
  empty.end();
  return empty;
}

async function* walkBucket(root: string, a: string): AsyncGenerator<BlobStat> {
  for (const b of (await readdir(join(root, a)).catch(() => [] as string[])).sort()) {
    for (const name of await readdir(join(root, a, b)).catch(() => [] as string[])) {
      if (!isSha256(name)) continue;
      const info = await stat(join(root, a, b, name)).catch(() => undefined);
      if (info) yield { sha256: name, size: info.size };
    }
  }
}

async function* walk(root: string): AsyncGenerator<BlobStat> {
  const level1 = await readdir(root).catch(() => [] as string[]);
  for (const a of level1.filter((n) => /^[0-9a-f]{2}$/.test(n)).sort()) yield* walkBucket(root, a);
}

export function createDiskStore(options: DiskStoreOptions): DiskStore {
  const { root, nodeId } = options;
  const maxFill = options.maxFillRatio ?? 0.95;
  const verifyLimit = options.verifyBeforeSendBytes ?? 16 * MiB;
  let counted: Promise<{ used: number; objects: number }> | undefined;
  // Counted once by walking the disk, then kept up to date by this process's writes and removals.
  const totals = () => {
    counted ??= (async () => {
      await mkdir(join(root, 'tmp'), { recursive: true });
      // Temp files are writes a crash interrupted: never acknowledged, safe to drop.
      for (const name of await readdir(join(root, 'tmp'))) await rm(join(root, 'tmp', name), { force: true });
      let used = 0;
      let objects = 0;
      for await (const blob of walk(root)) { used += blob.size; objects += 1; }
      return { used, objects };
    })();
    return counted;
  };
  const capacity = async (): Promise<number> => {
    if (options.capacityBytes !== undefined) return options.capacityBytes;
    const fs = await statfs(root);
    return fs.blocks * fs.bsize;
  };

  async function ensureRoom(size: number): Promise<void> {
    const t = await totals();
    const [cap, fs] = [await capacity(), await statfs(root)];
    if (t.used + size > cap * maxFill || size > fs.bavail * fs.bsize) {
      throw new BlobStoreError('FULL', `storage node ${nodeId} is full: ${t.used} of ${cap} bytes used, fill limit ${maxFill}`);
    }
  }

  return {
    async put(source: BlobSource): Promise<StoredBlob> {
      const existing = await this.stat(source.sha256);
      if (existing && existing.size === source.size) return { sha256: source.sha256, size: source.size, replicas: [nodeId], existed: true };
      await ensureRoom(source.size);
      await writeDurably(root, source);
      const t = await totals();
      if (existing) t.used -= existing.size; else t.objects += 1;
      t.used += source.size;
      return { sha256: source.sha256, size: source.size, replicas: [nodeId], existed: false };
    },
    async open(sha256: string, range?: ByteRange): Promise<Readable> {
      const path = blobPath(root, sha256);
      const info = await stat(path).catch(() => undefined);
      if (!info) throw new BlobStoreError('NOT_FOUND', `blob ${sha256} is not stored here`);
      if (range && (range.offset < 0 || range.length < 0 || range.offset + range.length > info.size)) {
        throw new BlobStoreError('INVALID_RANGE', `range ${range.offset}+${range.length} is outside blob of ${info.size} bytes`);
      }
      if (info.size <= verifyLimit) {
        const digest = await hashFile(path);
        if (digest !== sha256) throw new BlobStoreError('CORRUPT', `blob ${sha256} reads back as ${digest}`);
      }
      if (range) {
        if (range.length === 0) return emptyStream();
        return createReadStream(path, { start: range.offset, end: range.offset + range.length - 1 });
      }
      if (info.size <= verifyLimit) return createReadStream(path);
      const file = createReadStream(path);
      const checked = verifying(sha256);
      file.on('error', (error) => checked.destroy(error));
      return file.pipe(checked);
    },
    async stat(sha256: string): Promise<BlobStat | undefined> {
      const info = await stat(blobPath(root, sha256)).catch(() => undefined);
      return info ? { sha256, size: info.size } : undefined;
    },
    async release(sha256: string): Promise<void> {
      // One disk, no grace period of its own: the caller releases only blobs no index entry references.
      await this.remove(sha256);
    },
    async remove(sha256: string): Promise<boolean> {
      const path = blobPath(root, sha256);
      const info = await stat(path).catch(() => undefined);
      if (!info) return false;
      try { await unlink(path); } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
        throw error;
      }
      const t = await totals();
      t.used -= info.size;
      t.objects -= 1;
      return true;
    },
    async usage(): Promise<DiskUsage> {
      const t = await totals();
      return { capacityBytes: await capacity(), usedBytes: t.used, objects: t.objects };
    },
    list: () => walk(root),
    async listBucket(bucket: string): Promise<BlobStat[]> {
      if (!/^[0-9a-f]{2}$/.test(bucket)) return [];
      const out: BlobStat[] = [];
      for await (const blob of walkBucket(root, bucket)) out.push(blob);
      return out;
    },
    async quarantine(sha256: string): Promise<boolean> {
      const path = blobPath(root, sha256);
      const info = await stat(path).catch(() => undefined);
      if (!info) return false;
      await mkdir(join(root, 'quarantine'), { recursive: true });
      await rename(path, join(root, 'quarantine', `${sha256}.${Date.now()}`));
      const t = await totals();
      t.used -= info.size;
      t.objects -= 1;
      return true;
    },
    async verify(sha256: string): Promise<boolean | undefined> {
      const path = blobPath(root, sha256);
      if (!(await stat(path).catch(() => undefined))) return undefined;
      return (await hashFile(path)) === sha256;
    },
  };
}
