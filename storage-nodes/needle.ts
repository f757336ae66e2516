// The needle: one record of a volume file (cf. Haystack, SeaweedFS). A put needle carries a blob's bytes,
// a tombstone says the blob was removed. Layout (big-endian):
//   header  56 B: magic 'YYNd' | flags u8 (1 = tombstone) | 3 reserved | seq u64 | length u64 | sha256 32 B
//   data    length B
//   trailer  8 B: crc32(header + data) u32 | end magic 'dNYY'
// `seq` orders needles across volumes (compaction moves needles to newer volumes without reordering what
// they mean); the trailer lets the open-time scan tell a torn tail from a whole needle without hashing.
import { crc32 } from 'node:zlib';

export const HEADER_BYTES = 56;
export const TRAILER_BYTES = 8;
export const NEEDLE_OVERHEAD = HEADER_BYTES + TRAILER_BYTES;
const MAGIC = 0x59594e64;
const END_MAGIC = 0x644e5959;
const TOMBSTONE = 1;

export interface NeedleHeader {
  readonly tombstone: boolean;
  readonly seq: number;
  readonly length: number;
  readonly sha256: string;
}

export function needleBytes(length: number): number {
  return HEADER_BYTES + length + TRAILER_BYTES;
}

/** One needle as a list of buffers (header, data, trailer): the data is not copied. */
export function encodeNeedle(header: NeedleHeader, data: Buffer): Buffer[] {
  const head = Buffer.alloc(HEADER_BYTES);
  head.writeUInt32BE(MAGIC, 0);
  head.writeUInt8(header.tombstone ? TOMBSTONE : 0, 4);
  head.writeBigUInt64BE(BigInt(header.seq), 8);
  head.writeBigUInt64BE(BigInt(data.length), 16);
  head.write(header.sha256, 24, 32, 'hex');
  const tail = Buffer.alloc(TRAILER_BYTES);
  tail.writeUInt32BE(crc32(data, crc32(head)), 0);
  tail.writeUInt32BE(END_MAGIC, 4);
  return [head, data, tail];
}

/** The header at the start of `bytes`, or undefined when it is not one (torn or foreign bytes). */
export function parseHeader(bytes: Buffer): NeedleHeader | undefined {
  if (bytes.length < HEADER_BYTES || bytes.readUInt32BE(0) !== MAGIC) return undefined;
  const flags = bytes.readUInt8(4);
  if ((flags & ~TOMBSTONE) !== 0) return undefined;
  const length = bytes.readBigUInt64BE(16);
  if (length > BigInt(Number.MAX_SAFE_INTEGER)) return undefined;
  return {
    tombstone: flags === TOMBSTONE,
    seq: Number(bytes.readBigUInt64BE(8)),
    length: Number(length),
    sha256: bytes.subarray(24, 56).toString('hex'),
  };
}

/** Whether the trailer closes a needle (end magic), and, given the whole needle, whether its CRC holds. */
export function trailerEnds(trailer: Buffer): boolean {
  return trailer.length === TRAILER_BYTES && trailer.readUInt32BE(4) === END_MAGIC;
}

export function needleIntact(needle: Buffer): boolean {
  const end = needle.length - TRAILER_BYTES;
  if (end < HEADER_BYTES || !trailerEnds(needle.subarray(end))) return false;
  return crc32(needle.subarray(0, end)) === needle.readUInt32BE(end);
}
