// Where each packed blob lives (volume, offset, size, seq), in memory, by hash bucket (the repair pass
// asks bucket by bucket), plus how many bytes of each volume are live (compaction picks by dead share).
// Rebuilt at open by scanning the volumes; `seq` decides between needles of the same blob, whatever
// volume they sit in: the highest put or tombstone wins.
import { needleBytes } from './needle.ts';

export interface NeedleEntry {
  readonly volume: number;
  /** Offset of the needle (its header) in the volume file. */
  readonly offset: number;
  readonly size: number;
  readonly seq: number;
}

export interface VolumeStats {
  /** Bytes of the volume file (every needle: live, dead, tombstones). */
  fileBytes: number;
  /** Bytes of the needles the index points at. */
  liveBytes: number;
}

export class NeedleIndex {
  readonly #buckets = new Map<string, Map<string, NeedleEntry>>();
  readonly #volumes = new Map<number, VolumeStats>();
  /** Tombstones seen while scanning: a put needle older than its blob's tombstone is dead. */
  readonly #tombs = new Map<string, number>();
  objects = 0;
  /** Bytes of the live blobs (data only, as usage() reports them). */
  bytes = 0;

  get(sha256: string): NeedleEntry | undefined {
    return this.#buckets.get(sha256.slice(0, 2))?.get(sha256);
  }

  bucket(bucket: string): IterableIterator<[string, NeedleEntry]> {
    return (this.#buckets.get(bucket) ?? new Map<string, NeedleEntry>()).entries();
  }

  *all(): Generator<[string, NeedleEntry]> {
    for (const bucket of this.#buckets.values()) yield* bucket.entries();
  }

  volume(id: number): VolumeStats {
    let stats = this.#volumes.get(id);
    if (!stats) { stats = { fileBytes: 0, liveBytes: 0 }; this.#volumes.set(id, stats); }
    return stats;
  }

  volumes(): [number, VolumeStats][] {
    return [...this.#volumes.entries()].sort((a, b) => a[0] - b[0]);
  }

  fileBytes(): number {
    let total = 0;
    for (const stats of this.#volumes.values()) total += stats.fileBytes;
    return total;
  }

  dropVolume(id: number): VolumeStats {
    const stats = this.volume(id);
    this.#volumes.delete(id);
    return stats;
  }

  /** A put needle: becomes the live copy unless a newer needle (put or tombstone) of the blob is known. */
  applyPut(sha256: string, entry: NeedleEntry): boolean {
    const current = this.get(sha256);
    if ((this.#tombs.get(sha256) ?? -1) > entry.seq || (current && current.seq >= entry.seq)) return false;
    if (current) this.#unlink(sha256, current);
    this.#link(sha256, entry);
    return true;
  }

  /** A tombstone needle: removes the live copy when it is older. `remember` keeps it for the scan. */
  applyTombstone(sha256: string, seq: number, remember: boolean): boolean {
    if (remember) this.#tombs.set(sha256, Math.max(seq, this.#tombs.get(sha256) ?? -1));
    const current = this.get(sha256);
    if (!current || current.seq > seq) return false;
    this.#unlink(sha256, current);
    return true;
  }

  /** The scan is over: tombstones are no longer needed in memory. */
  scanned(): void {
    this.#tombs.clear();
  }

  /** Compaction moved a needle: follow it, unless the blob changed meanwhile (removed or put again). */
  relocate(sha256: string, from: NeedleEntry, to: NeedleEntry): boolean {
    if (this.get(sha256) !== from) return false;
    this.#unlink(sha256, from);
    this.#link(sha256, to);
    return true;
  }

  #link(sha256: string, entry: NeedleEntry): void {
    const key = sha256.slice(0, 2);
    let bucket = this.#buckets.get(key);
    if (!bucket) { bucket = new Map(); this.#buckets.set(key, bucket); }
    bucket.set(sha256, entry);
    this.volume(entry.volume).liveBytes += needleBytes(entry.size);
    this.objects += 1;
    this.bytes += entry.size;
  }

  #unlink(sha256: string, entry: NeedleEntry): void {
    this.#buckets.get(sha256.slice(0, 2))?.delete(sha256);
    this.volume(entry.volume).liveBytes -= needleBytes(entry.size);
    this.objects -= 1;
    this.bytes -= entry.size;
  }
}
