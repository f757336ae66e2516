// Volume files: append-only files of needles (volumes/000001.vol, ...). The writer appends to the newest
// volume and acknowledges a needle only after an fdatasync that started after its write; needles
// written while an fsync runs are written at once and share the next one (group commit: under
// concurrency this is where packing wins, see bench/storage/README.md). The scanner walks a volume needle by needle
// for the open-time index rebuild, compaction and recovery of a torn tail.
import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { HEADER_BYTES, NEEDLE_OVERHEAD, TRAILER_BYTES, needleBytes, parseHeader, trailerEnds, type NeedleHeader } from './needle.ts';

export function volumePath(dir: string, id: number): string {
  return join(dir, `${String(id).padStart(6, '0')}.vol`);
}

export function volumeId(name: string): number | undefined {
  const match = /^(\d{6})\.vol$/.exec(name);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

export async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try { await handle.sync(); } finally { await handle.close(); }
}

export async function readAt(handle: FileHandle, into: Buffer, position: number): Promise<void> {
  let done = 0;
  while (done < into.length) {
    const { bytesRead } = await handle.read(into, done, into.length - done, position + done);
    if (bytesRead === 0) throw new Error(`unexpected end of volume at ${position + done}`);
    done += bytesRead;
  }
}

export type ScanItem =
  | { readonly kind: 'needle'; readonly offset: number; readonly header: NeedleHeader; readonly intact: boolean }
  /** From `offset` to `size` the volume holds no whole needle: a write a crash interrupted. */
  | { readonly kind: 'torn'; readonly offset: number; readonly size: number };

/** The CRC of a needle's header and data, read in 1 MiB pieces (a damaged length must not allocate GBs). */
async function needleCrcHolds(handle: FileHandle, offset: number, length: number, trailer: Buffer): Promise<boolean> {
  const piece = Buffer.alloc(Math.min(HEADER_BYTES + length, 1024 * 1024));
  let crc = 0;
  for (let done = 0; done < HEADER_BYTES + length;) {
    const n = Math.min(piece.length, HEADER_BYTES + length - done);
    await readAt(handle, piece.subarray(0, n), offset + done);
    crc = crc32(piece.subarray(0, n), crc);
    done += n;
  }
  return crc === trailer.readUInt32BE(0);
}

/** Every needle of a volume in file order. `checkData` also checks each needle's CRC (the active volume,
 * whose tail may hold writes that were never fsynced); otherwise only the framing is read. */
export async function* scanVolume(path: string, checkData: boolean): AsyncGenerator<ScanItem> {
  const handle = await open(path, 'r');
  try {
    const size = (await handle.stat()).size;
    const head = Buffer.alloc(HEADER_BYTES);
    const trailer = Buffer.alloc(TRAILER_BYTES);
    let offset = 0;
    while (offset < size) {
      let header: NeedleHeader | undefined;
      if (size - offset >= NEEDLE_OVERHEAD) { await readAt(handle, head, offset); header = parseHeader(head); }
      const end = header ? offset + needleBytes(header.length) : Number.POSITIVE_INFINITY;
      if (!header || end > size) break;
      await readAt(handle, trailer, end - TRAILER_BYTES);
      const intact = trailerEnds(trailer) && (!checkData || await needleCrcHolds(handle, offset, header.length, trailer));
      // A broken last needle is a torn write; a broken needle followed by whole ones is damage in place.
      if (!intact && end === size) break;
      yield { kind: 'needle', offset, header, intact };
      offset = end;
    }
    if (offset < size) yield { kind: 'torn', offset, size };
  } finally {
    await handle.close();
  }
}

export interface Placed {
  readonly volume: number;
  readonly offset: number;
}

export interface VolumeWriter {
  /** Appends one needle (as buffers); resolves once it is durable, with where it landed. */
  append(buffers: readonly Buffer[]): Promise<Placed>;
  /** Seals the active volume (if it holds anything): later appends go to a new one. */
  roll(): Promise<void>;
  activeVolume(): number;
  close(): Promise<void>;
}

interface Item {
  readonly buffers: readonly Buffer[] | undefined;
  readonly bytes: number;
  resolve(placed: Placed): void;
  reject(error: unknown): void;
}

async function writeAllAt(handle: FileHandle, buffers: readonly Buffer[], position: number): Promise<void> {
  let rest = buffers.filter((b) => b.length > 0);
  let at = position;
  while (rest.length > 0) {
    let { bytesWritten } = await handle.writev(rest, at);
    at += bytesWritten;
    while (rest.length > 0 && bytesWritten >= (rest[0]?.length ?? 0)) { bytesWritten -= rest[0]?.length ?? 0; rest = rest.slice(1); }
    if (rest.length > 0 && bytesWritten > 0) rest = [(rest[0] as Buffer).subarray(bytesWritten), ...rest.slice(1)];
  }
}

export async function openVolumeWriter(dir: string, id: number, size: number, rollBytes: number): Promise<VolumeWriter> {
  let active = id;
  let handle = await open(volumePath(dir, id), 'r+');
  let end = size;
  const queue: Item[] = [];
  let draining: Promise<void> | undefined;

  // Groups written but not yet covered by an fdatasync, and the loop that syncs them: a sync covers
  // every group written before it starts, and writing goes on while it runs.
  const unacked: { item: Item; placed: Placed }[] = [];
  let syncing: Promise<void> | undefined;

  async function syncLoop(): Promise<void> {
    while (unacked.length > 0) {
      const covered = unacked.splice(0);
      try {
        await handle.datasync();
        for (const { item, placed } of covered) item.resolve(placed);
      } catch (error) {
        for (const { item } of covered) item.reject(error);
      }
    }
    syncing = undefined;
  }

  async function synced(): Promise<void> {
    while (syncing) await syncing;
  }

  async function rollOver(): Promise<void> {
    await synced();
    const next = await open(volumePath(dir, active + 1), 'wx');
    await fsyncDir(dir);
    await handle.close();
    [handle, active, end] = [next, active + 1, 0];
  }

  /** Writes a group and hands it to the sync loop; never throws (a failed write is cut off and rejected). */
  async function write(group: readonly Item[]): Promise<void> {
    if (group.length === 0) return;
    const start = end;
    try {
      await writeAllAt(handle, group.flatMap((item) => item.buffers ?? []), start);
    } catch (error) {
      await handle.truncate(start).catch(() => undefined);
      for (const item of group) item.reject(error);
      return;
    }
    for (const item of group) { unacked.push({ item, placed: { volume: active, offset: end } }); end += item.bytes; }
    syncing ??= syncLoop();
  }

  async function writeBatch(batch: readonly Item[]): Promise<void> {
    let group: Item[] = [];
    let groupBytes = 0;
    for (const item of batch) {
      const full = item.buffers === undefined || (end + groupBytes > 0 && end + groupBytes + item.bytes > rollBytes);
      if (full) {
        await write(group);
        [group, groupBytes] = [[], 0];
        try { if (end > 0) await rollOver(); } catch (error) { item.reject(error); continue; }
        if (item.buffers === undefined) { item.resolve({ volume: active, offset: end }); continue; }
      }
      group.push(item);
      groupBytes += item.bytes;
    }
    await write(group);
  }

  async function drain(): Promise<void> {
    while (queue.length > 0) await writeBatch(queue.splice(0));
    draining = undefined;
  }

  function enqueue(buffers: readonly Buffer[] | undefined): Promise<Placed> {
    return new Promise<Placed>((resolve, reject) => {
      queue.push({ buffers, bytes: buffers?.reduce((sum, b) => sum + b.length, 0) ?? 0, resolve, reject });
      draining ??= drain();
    });
  }

  return {
    append: (buffers) => enqueue(buffers),
    roll: async () => { await enqueue(undefined); },
    activeVolume: () => active,
    async close() {
      await draining;
      await synced();
      await handle.close();
    },
  };
}
