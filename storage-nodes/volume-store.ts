// One local disk as a content-addressed blob store that packs blobs up to `packMaxBytes` (default 4 MiB:
// every ordinary DICOM instance) into append-only volume files (volumes/NNNNNN.vol, see volume-file.ts
// and needle.ts) and keeps larger blobs one file per blob (disk-store.ts, same root, so a data directory
// written by the file-per-blob store is read as is). A put is acknowledged after the fdatasync that
// covers its needle; concurrent puts share fsyncs. The needle index is in memory, rebuilt at open by
// scanning the volumes; a torn tail is copied to quarantine/ and cut off. Removal appends a tombstone;
// compact() rewrites volumes whose dead share exceeds `compactDeadRatio`. Same DiskStore face, same
// verification rules as the disk store.
import { createHash } from 'node:crypto';
import { mkdir, open, statfs, unlink, writeFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { BlobStoreError, isSha256, type BlobSource, type BlobStat, type ByteRange, type StoredBlob } from '../lib/blob-store/blob-store.ts';
import { createDiskStore, verifying, type DiskStore, type DiskStoreOptions, type DiskUsage } from './disk-store.ts';
import { HEADER_BYTES, encodeNeedle, needleBytes, needleIntact } from './needle.ts';
import type { NeedleEntry } from './needle-index.ts';
import { openVolumes, type OpenedVolumes as Opened } from './open-volumes.ts';
import { fsyncDir, readAt, scanVolume, volumePath } from './volume-file.ts';

export interface VolumeStoreOptions extends DiskStoreOptions {
  /** Blobs up to this size are packed into volumes; larger ones get a file each (default 4 MiB). */
  readonly packMaxBytes?: number;
  /** A volume is sealed and a new one started when an append would pass this size (default 1 GiB). */
  readonly rollBytes?: number;
  /** compact() rewrites volumes whose dead share exceeds this (default 0.5). */
  readonly compactDeadRatio?: number;
  /** Scan the volumes (needle index, torn-tail recovery) at creation instead of on first use: the newest
   * volume is read whole to check its needles, which the first read after a restart should not wait for.
   * A failure shows on first use. Default false (tests arrange volumes before the first call). */
  readonly recoverNow?: boolean;
}

export interface CompactionReport {
  readonly volumes: readonly number[];
  readonly reclaimedBytes: number;
}

export interface VolumeStore extends DiskStore {
  /** Rewrites the live needles of mostly dead volumes into the active one and deletes the old files. */
  compact(): Promise<CompactionReport>;
  /** Waits for pending appends and closes the active volume. */
  close(): Promise<void>;
}


const MiB = 1024 * 1024;

interface Reader {
  readonly handle: Promise<FileHandle>;
  users: number;
  retired: boolean;
}

function closeReader(reader: Reader): void {
  reader.handle.then((handle) => handle.close()).catch(() => undefined);
}

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === 'ENOENT';
}

function bufferStream(bytes: Buffer): Readable {
  const stream = new PassThrough();
  if (bytes.length > 0) stream.end(bytes); else stream.end();
  return stream;
}

/** The bytes of a small source, hashed; never more than the announced size is held. */
async function readSource(source: BlobSource): Promise<Buffer> {
  const hash = createHash('sha256');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of source.open()) {
    const bytes = chunk as Buffer;
    size += bytes.length;
    if (size > source.size) break;
    hash.update(bytes);
    chunks.push(bytes);
  }
  const digest = size > source.size ? 'longer than announced' : hash.digest('hex');
  if (digest !== source.sha256 || size !== source.size) {
    throw new BlobStoreError('HASH_MISMATCH', `bytes hash to ${digest} (${size} bytes), expected ${source.sha256} (${source.size} bytes)`);
  }
  return Buffer.concat(chunks, size);
}

export function createVolumeStore(options: VolumeStoreOptions): VolumeStore {
  const { root, nodeId } = options;
  const files = createDiskStore(options);
  const maxFill = options.maxFillRatio ?? 0.95;
  const verifyLimit = options.verifyBeforeSendBytes ?? 16 * MiB;
  const packMax = options.packMaxBytes ?? 4 * MiB;
  const rollBytes = options.rollBytes ?? 1024 * MiB;
  const deadRatio = options.compactDeadRatio ?? 0.5;
  let opened: Promise<Opened> | undefined;
  const state = () => (opened ??= openVolumes(root, rollBytes));
  if (options.recoverNow === true) state().catch(() => undefined);
  const inflight = new Map<string, Promise<StoredBlob>>();
  let compacting: Promise<CompactionReport> | undefined;

  const capacity = async (): Promise<number> => {
    if (options.capacityBytes !== undefined) return options.capacityBytes;
    const fs = await statfs(root);
    return fs.blocks * fs.bsize;
  };

  async function ensureRoom(bytes: number): Promise<void> {
    const [s, fileUsage, cap, fs] = [await state(), await files.usage(), await capacity(), await statfs(root)];
    // Dead needles take disk space until compaction: the fill level counts volume files whole.
    const used = s.index.fileBytes() + fileUsage.usedBytes;
    if (used + bytes > cap * maxFill || bytes > fs.bavail * fs.bsize) {
      throw new BlobStoreError('FULL', `storage node ${nodeId} is full: ${used} of ${cap} bytes used, fill limit ${maxFill}`);
    }
  }

  async function appendNeedle(s: Opened, sha256: string, data: Buffer, tombstone: boolean): Promise<NeedleEntry> {
    const seq = s.nextSeq++;
    const placed = await s.writer.append(encodeNeedle({ tombstone, seq, length: data.length, sha256 }, data));
    s.index.volume(placed.volume).fileBytes += needleBytes(data.length);
    return { volume: placed.volume, offset: placed.offset, size: data.length, seq };
  }

  /** Runs `read` on the blob's needle; a volume compacted away meanwhile sends it to the new place. */
  async function withNeedle<T>(sha256: string, read: (entry: NeedleEntry, path: string) => Promise<T>): Promise<T | undefined> {
    const s = await state();
    for (let attempt = 0; ; attempt++) {
      const entry = s.index.get(sha256);
      if (!entry) return undefined;
      try { return await read(entry, volumePath(s.dir, entry.volume)); } catch (error) {
        if (!isMissing(error) || attempt > 0) throw error;
      }
    }
  }

  // One read handle per volume, kept open (a needle read is then one positional read, not open, read and
  // close). A volume that compaction removes is retired: its handle closes once the reads using it end.
  const readers = new Map<number, Reader>();

  async function withReader<T>(volume: number, path: string, use: (handle: FileHandle) => Promise<T>): Promise<T> {
    let reader = readers.get(volume);
    if (!reader) {
      const opening = open(path, 'r');
      reader = { handle: opening, users: 0, retired: false };
      readers.set(volume, reader);
      const mine = reader;
      opening.catch(() => { if (readers.get(volume) === mine) readers.delete(volume); });
    }
    reader.users += 1;
    try {
      return await use(await reader.handle);
    } finally {
      reader.users -= 1;
      if (reader.retired && reader.users === 0) closeReader(reader);
    }
  }

  function retireReader(volume: number): void {
    const reader = readers.get(volume);
    if (!reader) return;
    readers.delete(volume);
    reader.retired = true;
    if (reader.users === 0) closeReader(reader);
  }

  async function readData(entry: NeedleEntry, path: string): Promise<Buffer> {
    return withReader(entry.volume, path, async (handle) => {
      const data = Buffer.alloc(entry.size);
      await readAt(handle, data, entry.offset + HEADER_BYTES);
      return data;
    });
  }

  async function openNeedle(sha256: string, entry: NeedleEntry, path: string, range: ByteRange | undefined): Promise<Readable> {
    if (range && (range.offset < 0 || range.length < 0 || range.offset + range.length > entry.size)) {
      throw new BlobStoreError('INVALID_RANGE', `range ${range.offset}+${range.length} is outside blob of ${entry.size} bytes`);
    }
    if (entry.size <= verifyLimit) {
      const data = await readData(entry, path);
      const digest = createHash('sha256').update(data).digest('hex');
      if (digest !== sha256) throw new BlobStoreError('CORRUPT', `blob ${sha256} reads back as ${digest}`);
      return bufferStream(range ? data.subarray(range.offset, range.offset + range.length) : data);
    }
    if (range?.length === 0) return bufferStream(Buffer.alloc(0));
    const handle = await open(path, 'r');
    const start = entry.offset + HEADER_BYTES + (range?.offset ?? 0);
    const stream = handle.createReadStream({ start, end: start + (range?.length ?? entry.size) - 1, highWaterMark: MiB });
    if (range) return stream;
    const checked = verifying(sha256);
    stream.on('error', (error) => checked.destroy(error));
    return stream.pipe(checked);
  }

  async function putPacked(source: BlobSource): Promise<StoredBlob> {
    await ensureRoom(needleBytes(source.size));
    const data = await readSource(source);
    const s = await state();
    s.index.applyPut(source.sha256, await appendNeedle(s, source.sha256, data, false));
    return { sha256: source.sha256, size: source.size, replicas: [nodeId], existed: false };
  }

  async function removePacked(sha256: string, quarantined: boolean): Promise<boolean> {
    const s = await state();
    if (!s.index.get(sha256)) return false;
    if (quarantined) {
      const data = await withNeedle(sha256, (entry, path) => readData(entry, path));
      await mkdir(join(root, 'quarantine'), { recursive: true });
      if (data) await writeFile(join(root, 'quarantine', `${sha256}.${Date.now()}`), data);
    }
    const tomb = await appendNeedle(s, sha256, Buffer.alloc(0), true);
    return s.index.applyTombstone(sha256, tomb.seq, false);
  }

  async function compactVolume(s: Opened, id: number): Promise<number> {
    const path = volumePath(s.dir, id);
    let pending: Promise<void>[] = [];
    let pendingBytes = 0;
    const handle = await open(path, 'r');
    try {
      for await (const item of scanVolume(path, false)) {
        if (item.kind === 'torn' || !item.intact) continue;
        const { header, offset } = item;
        const entry = s.index.get(header.sha256);
        // A tombstone still matters while an older put of its blob may sit in another volume; a newer
        // live put makes it moot.
        const keep = header.tombstone ? !(entry && entry.seq > header.seq) : entry?.volume === id && entry.offset === offset;
        if (!keep) continue;
        const raw = Buffer.alloc(needleBytes(header.length));
        await readAt(handle, raw, offset);
        if (!needleIntact(raw)) continue;
        pending.push(s.writer.append([raw]).then((placed) => {
          s.index.volume(placed.volume).fileBytes += raw.length;
          if (entry && !header.tombstone) s.index.relocate(header.sha256, entry, { ...entry, volume: placed.volume, offset: placed.offset });
        }));
        pendingBytes += raw.length;
        if (pendingBytes >= 16 * MiB) { await Promise.all(pending); [pending, pendingBytes] = [[], 0]; }
      }
      await Promise.all(pending);
    } finally { await handle.close(); }
    retireReader(id);
    await unlink(path);
    await fsyncDir(s.dir);
    return s.index.dropVolume(id).fileBytes;
  }

  async function compactAll(): Promise<CompactionReport> {
    const s = await state();
    const volumes: number[] = [];
    let reclaimedBytes = 0;
    for (const [id, stats] of s.index.volumes()) {
      if (stats.fileBytes === 0 || 1 - stats.liveBytes / stats.fileBytes <= deadRatio) continue;
      if (id === s.writer.activeVolume()) await s.writer.roll();
      const before = s.index.fileBytes();
      await compactVolume(s, id);
      reclaimedBytes += before - s.index.fileBytes();
      volumes.push(id);
    }
    return { volumes, reclaimedBytes };
  }

  return {
    async put(source: BlobSource): Promise<StoredBlob> {
      const existing = await this.stat(source.sha256);
      if (existing && existing.size === source.size) return { sha256: source.sha256, size: source.size, replicas: [nodeId], existed: true };
      if (source.size > packMax) {
        await ensureRoom(source.size);
        return files.put(source);
      }
      // Concurrent puts of the same bytes write one needle.
      const running = inflight.get(source.sha256);
      if (running) return { ...(await running), existed: true };
      const put = putPacked(source).finally(() => inflight.delete(source.sha256));
      inflight.set(source.sha256, put);
      return put;
    },
    async open(sha256: string, range?: ByteRange): Promise<Readable> {
      const stream = await withNeedle(sha256, (entry, path) => openNeedle(sha256, entry, path, range));
      return stream ?? files.open(sha256, range);
    },
    async stat(sha256: string): Promise<BlobStat | undefined> {
      if (!isSha256(sha256)) throw new BlobStoreError('NOT_FOUND', 'not a SHA-256 hex digest');
      const entry = (await state()).index.get(sha256);
      return entry ? { sha256, size: entry.size } : files.stat(sha256);
    },
    async release(sha256: string): Promise<void> {
      // One disk, no grace period of its own: the caller releases only blobs no index entry references.
      await this.remove(sha256);
    },
    async remove(sha256: string): Promise<boolean> {
      return (await removePacked(sha256, false)) || files.remove(sha256);
    },
    async quarantine(sha256: string): Promise<boolean> {
      return (await removePacked(sha256, true)) || files.quarantine(sha256);
    },
    async verify(sha256: string): Promise<boolean | undefined> {
      const data = await withNeedle(sha256, (entry, path) => readData(entry, path));
      return data ? createHash('sha256').update(data).digest('hex') === sha256 : files.verify(sha256);
    },
    async usage(): Promise<DiskUsage> {
      const [s, fileUsage] = [await state(), await files.usage()];
      return { capacityBytes: await capacity(), usedBytes: s.index.bytes + fileUsage.usedBytes, objects: s.index.objects + fileUsage.objects };
    },
    async *list(): AsyncGenerator<BlobStat> {
      const s = await state();
      for (const [sha256, entry] of [...s.index.all()]) yield { sha256, size: entry.size };
      yield* files.list();
    },
    async listBucket(bucket: string): Promise<BlobStat[]> {
      if (!/^[0-9a-f]{2}$/.test(bucket)) return [];
      const packed = [...(await state()).index.bucket(bucket)].map(([sha256, entry]) => ({ sha256, size: entry.size }));
      return [...packed, ...await files.listBucket(bucket)];
    },
    compact() {
      compacting ??= compactAll().finally(() => { compacting = undefined; });
      return compacting;
    },
    async close() {
      for (const volume of [...readers.keys()]) retireReader(volume);
      if (opened) await (await opened).writer.close();
    },
  };
}
