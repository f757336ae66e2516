// The retrieval cache: byte ranges (frames, bulk data) recently served, in memory, bounded in bytes by
// an LRU (lru-cache). Whole objects never enter it (they stream); ranges larger than the item limit are
// streamed past it. Blobs are addressed by content, so a cached range is never stale.
import { LRUCache } from 'lru-cache';
import type { ByteRange } from '../blob-store/blob-store.ts';

export interface FrameCacheOptions {
  /** Byte bound of the whole cache; 0 turns it off. */
  readonly maxBytes: number;
  /** Largest range kept. */
  readonly maxItemBytes: number;
}

export interface FrameCache {
  /** Whether a range of this size is worth a lookup (off, or larger than an item may be: no). */
  admits(range: ByteRange | undefined): range is ByteRange;
  get(sha256: string, range: ByteRange): Buffer | undefined;
  set(sha256: string, range: ByteRange, bytes: Buffer): void;
  /** Bytes held now (tests assert the bound). */
  readonly heldBytes: number;
}

const keyOf = (sha256: string, range: ByteRange) => `${sha256}:${range.offset}:${range.length}`;

export function createFrameCache(options: FrameCacheOptions): FrameCache | undefined {
  const itemLimit = Math.min(options.maxItemBytes, options.maxBytes);
  if (options.maxBytes <= 0 || itemLimit <= 0) return undefined;
  const lru = new LRUCache<string, Buffer>({ maxSize: options.maxBytes, maxEntrySize: itemLimit, sizeCalculation: (b) => Math.max(1, b.length) });
  return {
    admits: (range): range is ByteRange => range !== undefined && range.length > 0 && range.length <= itemLimit,
    get: (sha256, range) => lru.get(keyOf(sha256, range)),
    set: (sha256, range, bytes) => { lru.set(keyOf(sha256, range), bytes); },
    get heldBytes() { return lru.calculatedSize; },
  };
}
