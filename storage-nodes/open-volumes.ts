// Opening a volume store's disk: scans every volume in order to rebuild the needle index (see
// needle-index.ts for how seq decides between needles), keeps a torn tail in quarantine/ and cuts it off
// (a crash mid-write loses only the unacknowledged needles), and opens the writer on the newest volume.
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, readdir, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { needleBytes } from './needle.ts';
import { NeedleIndex } from './needle-index.ts';
import { fsyncDir, openVolumeWriter, scanVolume, volumeId, volumePath, type VolumeWriter } from './volume-file.ts';

export interface OpenedVolumes {
  readonly dir: string;
  readonly index: NeedleIndex;
  readonly writer: VolumeWriter;
  nextSeq: number;
}

/** Rebuilds the index from the volumes; a torn tail is kept in quarantine/ and cut off. */
export async function openVolumes(root: string, rollBytes: number): Promise<OpenedVolumes> {
  const dir = join(root, 'volumes');
  await mkdir(dir, { recursive: true });
  const ids = (await readdir(dir)).map(volumeId).filter((id) => id !== undefined).sort((a, b) => a - b);
  const index = new NeedleIndex();
  let maxSeq = 0;
  for (const [i, id] of ids.entries()) {
    const path = volumePath(dir, id);
    let torn: { offset: number; size: number } | undefined;
    // Only the newest volume can hold writes that were never fsynced: its needles' CRCs are checked.
    for await (const item of scanVolume(path, i === ids.length - 1)) {
      if (item.kind === 'torn') { torn = item; break; }
      const { header, offset } = item;
      index.volume(id).fileBytes += needleBytes(header.length);
      maxSeq = Math.max(maxSeq, header.seq);
      if (!item.intact) continue;
      if (header.tombstone) index.applyTombstone(header.sha256, header.seq, true);
      else index.applyPut(header.sha256, { volume: id, offset, size: header.length, seq: header.seq });
    }
    if (torn) await cutTail(root, path, id, torn);
  }
  index.scanned();
  const active = ids.at(-1) ?? 1;
  if (ids.length === 0) {
    await (await open(volumePath(dir, active), 'wx')).close();
    await fsyncDir(dir);
  }
  const writer = await openVolumeWriter(dir, active, index.volume(active).fileBytes, rollBytes);
  return { dir, index, writer, nextSeq: maxSeq + 1 };
}

async function cutTail(root: string, path: string, id: number, torn: { offset: number; size: number }): Promise<void> {
  await mkdir(join(root, 'quarantine'), { recursive: true });
  const kept = join(root, 'quarantine', `volume-${id}-at-${torn.offset}.${Date.now()}.torn`);
  await pipeline(createReadStream(path, { start: torn.offset }), createWriteStream(kept));
  await truncate(path, torn.offset);
  const handle = await open(path, 'r+');
  try { await handle.sync(); } finally { await handle.close(); }
}
