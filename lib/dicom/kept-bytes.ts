// The header bytes the reader keeps while an object streams past: a growable buffer (doubling, so
// appends stay linear) bounded by maxHeaderBytes, plus the map from kept offsets back to offsets in
// the stored object (the two differ once a bulk value has been left out of the kept copy).
import { OutcomeError } from '../outcome/outcome.ts';

interface Segment {
  readonly keptStart: number;
  readonly objectStart: number;
}

export class KeptBytes {
  private buffer: Uint8Array;
  private used = 0;
  private readonly limit: number;
  private readonly segments: Segment[] = [];

  constructor(limit: number) {
    this.limit = limit;
    this.buffer = new Uint8Array(Math.min(limit, 8 * 1024));
  }

  get length(): number {
    return this.used;
  }

  /** Bytes allocated for the kept copy. */
  get capacity(): number {
    return this.buffer.length;
  }

  /** Bytes still allowed under the limit. */
  get room(): number {
    return this.limit - this.used;
  }

  /** Appends bytes that sit at objectOffset in the stored object (-1: not in the stored object). */
  append(bytes: Uint8Array, objectOffset: number): void {
    if (bytes.length === 0) return;
    if (bytes.length > this.room) {
      throw new OutcomeError('cannotUnderstand', `header exceeds maxHeaderBytes (${this.limit}) at offset ${objectOffset}`);
    }
    this.noteOffset(objectOffset);
    if (this.used + bytes.length > this.buffer.length) this.grow(this.used + bytes.length);
    this.buffer.set(bytes, this.used);
    this.used += bytes.length;
  }

  /** The kept bytes (a view: valid until the next append). */
  view(): Uint8Array {
    return this.buffer.subarray(0, this.used);
  }

  /** Offset in the stored object of the kept byte at keptOffset. */
  objectOffsetOf(keptOffset: number): number {
    let lo = 0;
    let hi = this.segments.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.segments[mid]?.keptStart ?? 0) <= keptOffset) lo = mid;
      else hi = mid - 1;
    }
    const segment = this.segments[lo];
    return segment ? segment.objectStart + (keptOffset - segment.keptStart) : keptOffset;
  }

  private noteOffset(objectOffset: number): void {
    const last = this.segments[this.segments.length - 1];
    if (last && last.objectStart + (this.used - last.keptStart) === objectOffset) return;
    this.segments.push({ keptStart: this.used, objectStart: objectOffset });
  }

  private grow(needed: number): void {
    let size = this.buffer.length * 2;
    while (size < needed) size *= 2;
    const next = new Uint8Array(Math.min(size, this.limit));
    next.set(this.buffer.subarray(0, this.used));
    this.buffer = next;
  }
}
