// One local disk as a content-addressed blob store: the embedded default's BlobStore, and the disk of
// every storage node. Writes go to a temp file, are fsynced, renamed into place and the directory
// fsynced, so a blob is either absent or whole after a crash. Full reads verify the hash.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, rename, rm, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { PassThrough, Transform, type Readable } from 'node:stream';
import { randomUUID } from 'node:crypto';
import { BlobStoreError, isSha256, type BlobSource, type BlobStat, type BlobStore, type ByteRange, type StoredBlob } from '../lib/blob-store/blob-store.ts';

export interface DiskStoreOptions {
  readonly root: string;
  /** The ID recorded as the replica holder. */
  readonly nodeId: string;
}

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
  await mkdir(join(root, 'tmp'), { recursive: true });
  const hash = createHash('sha256');
  let size = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, done) { hash.update(chunk); size += chunk.length; done(null, chunk); },
  });
  const handle = await open(temp, 'wx');
  try {
    await pipeline(source.open(), counter, createWriteStream('', { fd: handle, autoClose: false }));
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

function verifying(expected: string): Transform {
  const hash = createHash('sha256');
  return new Transform({
    transform(chunk: Buffer, _encoding, done) { hash.update(chunk); done(null, chunk); },
    flush(done) {
      const digest = hash.digest('hex');
      done(digest === expected ? null : new BlobStoreError('CORRUPT', `blob ${expected} reads back as ${digest}`));
    },
  });
}

export function createDiskStore(options: DiskStoreOptions): BlobStore {
  const { root, nodeId } = options;
  return {
    async put(source: BlobSource): Promise<StoredBlob> {
      const existing = await this.stat(source.sha256);
      if (existing && existing.size === source.size) return { sha256: source.sha256, size: source.size, replicas: [nodeId], existed: true };
      await writeDurably(root, source);
      return { sha256: source.sha256, size: source.size, replicas: [nodeId], existed: false };
    },
    async open(sha256: string, range?: ByteRange): Promise<Readable> {
      const path = blobPath(root, sha256);
      const info = await stat(path).catch(() => undefined);
      if (!info) throw new BlobStoreError('NOT_FOUND', `blob ${sha256} is not stored here`);
      if (range) {
        if (range.offset < 0 || range.length < 0 || range.offset + range.length > info.size) {
          throw new BlobStoreError('INVALID_RANGE', `range ${range.offset}+${range.length} is outside blob of ${info.size} bytes`);
        }
        if (range.length === 0) { const empty = new PassThrough(); empty.end(); return empty; }
        return createReadStream(path, { start: range.offset, end: range.offset + range.length - 1 });
      }
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
      await unlink(blobPath(root, sha256)).catch((error: NodeJS.ErrnoException) => { if (error.code !== 'ENOENT') throw error; });
    },
  };
}
