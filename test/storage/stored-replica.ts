// A storage node's copy of one blob, read and damaged straight on its disk (whatever the layout: a needle
// in a volume file, or a file of its own), for tests that corrupt a replica behind the node's back.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { HEADER_BYTES } from '../../storage-nodes/needle.ts';
import { readAt, scanVolume, volumeId } from '../../storage-nodes/volume-file.ts';

interface Located { readonly path: string; readonly offset: number; readonly size: number }

/** The live needle of `sha256` (highest seq, not outlived by a tombstone), else its own file. */
async function locate(root: string, sha256: string): Promise<Located | undefined> {
  const dir = join(root, 'volumes');
  const names = existsSync(dir) ? readdirSync(dir).filter((n) => volumeId(n) !== undefined).sort() : [];
  let best: { seq: number; at?: Located } = { seq: -1 };
  for (const name of names) {
    const path = join(dir, name);
    for await (const item of scanVolume(path, false)) {
      if (item.kind !== 'needle' || item.header.sha256 !== sha256 || item.header.seq < best.seq) continue;
      best = { seq: item.header.seq, ...(item.header.tombstone ? {} : { at: { path, offset: item.offset + HEADER_BYTES, size: item.header.length } }) };
    }
  }
  if (best.seq >= 0) return best.at;
  const file = join(root, sha256.slice(0, 2), sha256.slice(2, 4), sha256);
  return existsSync(file) ? { path: file, offset: 0, size: readFileSync(file).length } : undefined;
}

/** Overwrites 8 bytes at byte 100 of the stored blob. */
export async function corruptStored(root: string, sha256: string): Promise<void> {
  const at = await locate(root, sha256);
  if (!at) throw new Error(`no stored copy of ${sha256} under ${root}`);
  const handle = await open(at.path, 'r+');
  try { await handle.write(Buffer.from('garbage!'), 0, 8, at.offset + 100); } finally { await handle.close(); }
}

/** Whether the disk holds a copy of the blob whose bytes hash right. */
export async function storedIsGood(root: string, sha256: string): Promise<boolean> {
  const at = await locate(root, sha256);
  if (!at) return false;
  const handle = await open(at.path, 'r');
  try {
    const bytes = Buffer.alloc(at.size);
    await readAt(handle, bytes, at.offset);
    return createHash('sha256').update(bytes).digest('hex') === sha256;
  } finally { await handle.close(); }
}
