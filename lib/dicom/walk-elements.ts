// The data set walker (PS3.5 7.1 data elements, 7.5 nesting of data sets, A.4 encapsulation): element
// headers in explicit or implicit VR, either byte order; sequences and items of defined or undefined
// length; top-level Pixel Data native or encapsulated. It keeps header bytes, passes over large values
// without keeping them, and throws OutcomeError('cannotUnderstand') as soon as the bytes prove the object
// broken (a lie about a length, an unknown VR, an item where none can be).
import { OutcomeError } from '../outcome/outcome.ts';
import type { ByteRange } from '../blob-store/blob-store.ts';
import type { KeptBytes } from './kept-bytes.ts';
import type { Need, Walker } from './byte-feeder.ts';
import { vrOf } from './dictionary.ts';

export const UNDEFINED_LENGTH = 0xffffffff;
/** Binary values larger than this become bulk data (BulkDataURI), never inline JSON. */
export const BULK_THRESHOLD = 1024;

export const VALID_VRS: ReadonlySet<string> = new Set([
  'AE', 'AS', 'AT', 'CS', 'DA', 'DS', 'DT', 'FD', 'FL', 'IS', 'LO', 'LT', 'OB', 'OD', 'OF', 'OL', 'OV', 'OW',
  'PN', 'SH', 'SL', 'SQ', 'SS', 'ST', 'SV', 'TM', 'UC', 'UI', 'UL', 'UN', 'UR', 'US', 'UT', 'UV',
]);
/** VRs with a 4-byte length in explicit VR (PS3.5 Table 7.1-1). */
const LONG_VRS: ReadonlySet<string> = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'UC', 'UN', 'UR', 'UT', 'SV', 'UV']);
export const BINARY_VRS: ReadonlySet<string> = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'UN']);
/** Kept whole even when large: the reader needs them to find frames. */
const ALWAYS_KEPT = new Set(['7FE00001', '7FE00002']);

export interface Encoding {
  readonly explicit: boolean;
  readonly littleEndian: boolean;
}

export interface Fragment {
  /** Offset of the fragment's value and its length. */
  readonly offset: number;
  readonly length: number;
  /** First two bytes, big-endian (0xFFD8 JPEG SOI, 0xFF4F J2K SOC); -1 when shorter. */
  readonly marker: number;
}

export interface PixelDataInfo {
  readonly vr: string;
  /** Offset of the value (after the element header); length undefined when encapsulated. */
  readonly valueOffset: number;
  readonly length?: number;
  readonly basicOffsetTable: number[];
  readonly fragments: Fragment[];
  /** Offset of the first fragment's item tag: Basic Offset Table offsets count from it. */
  firstFragmentItem: number;
  /** Offset just past the value (for encapsulated data: past the sequence delimiter). */
  end: number;
}

export interface WalkContext {
  readonly kept: KeptBytes;
  /** Offset of the next byte the walker gets (the feeder's position). */
  readonly at: () => number;
  readonly maxFragments: number;
  /** False for inflated (deflated) data: offsets are not offsets in the stored object. */
  readonly offsetsInObject: boolean;
  pixel?: PixelDataInfo;
  /** Top-level bulk values left out of the kept copy: kept value offset -> range in the object. */
  readonly omitted: Map<number, ByteRange>;
  /** VRs dicom-parser 1.8 does not know (OV, SV, UV: 4-byte lengths) are kept as UN; the real VR by
   * kept value offset. */
  readonly vrOverrides: Map<number, string>;
  readonly warnings: string[];
}

export interface ElementHeader {
  readonly tag: string;
  readonly vr: string;
  readonly length: number;
  readonly offset: number;
  readonly bytes: Uint8Array;
}

export function tagText(tag: string): string {
  return `(${tag.slice(0, 4)},${tag.slice(4)})`;
}

export function broken(detail: string): OutcomeError {
  return new OutcomeError('cannotUnderstand', detail);
}

const HEX2 = Array.from({ length: 256 }, (_, i) => i.toString(16).toUpperCase().padStart(2, '0'));

function hex4(n: number): string {
  return (HEX2[n >> 8] ?? '') + (HEX2[n & 0xff] ?? '');
}

export function* read(length: number, what: string, boundary = false): Generator<Need, Uint8Array, Uint8Array> {
  return yield { kind: 'read', length, what, boundary };
}

export function* pass(length: number, keep: boolean, what: string): Generator<Need, void, Uint8Array> {
  yield { kind: 'pass', length, keep, what };
}

function u16(b: Uint8Array, at: number, le: boolean): number {
  const x = b[at] ?? 0;
  const y = b[at + 1] ?? 0;
  return le ? x | (y << 8) : (x << 8) | y;
}

export function u32(b: Uint8Array, at: number, le: boolean): number {
  const lo = u16(b, at, le);
  const hi = u16(b, at + 2, le);
  return le ? (hi * 0x10000) + lo : (lo * 0x10000) + hi;
}

export function* readElementHeader(enc: Encoding, what: string, boundary = false, tag?: string): Generator<Need, ElementHeader, Uint8Array> {
  const b = Uint8Array.from(yield tag === undefined ? { kind: 'read', length: 8, what, boundary } : { kind: 'read', length: 8, what, boundary, tag });
  return yield* completeHeader(b, enc);
}

/** Completes a header from its first 8 bytes (reading the 4-byte length of long explicit VRs). */
export function* completeHeader(b: Uint8Array, enc: Encoding): Generator<Need, ElementHeader, Uint8Array> {
  const le = enc.littleEndian;
  const group = u16(b, 0, le);
  const tag = hex4(group) + hex4(u16(b, 2, le));
  if (group === 0xfffe || !enc.explicit) {
    return { tag, vr: group === 0xfffe ? '' : vrOf(tag), length: u32(b, 4, le), offset: -1, bytes: b };
  }
  const vr = String.fromCharCode(b[4] ?? 0, b[5] ?? 0);
  if (!LONG_VRS.has(vr)) {
    if (!VALID_VRS.has(vr)) throw broken(`invalid VR for element ${tagText(tag)}`);
    return { tag, vr, length: u16(b, 6, le), offset: -1, bytes: b };
  }
  const ext = yield { kind: 'read', length: 4, what: 'length of', tag };
  const bytes = new Uint8Array(12);
  bytes.set(b);
  bytes.set(ext, 8);
  return { tag, vr, length: u32(ext, 0, le), offset: -1, bytes };
}

function atOffset(h: ElementHeader, ctx: WalkContext): string {
  return `${tagText(h.tag)} at offset ${h.offset >= 0 ? h.offset : ctx.at()}`;
}

const UNKNOWN_TO_PARSER: ReadonlySet<string> = new Set(['OV', 'SV', 'UV']);

function keepHeader(ctx: WalkContext, h: ElementHeader, start: number): void {
  if (h.bytes.length === 12 && UNKNOWN_TO_PARSER.has(h.vr)) {
    const patched = Uint8Array.from(h.bytes);
    patched[4] = 0x55; // 'U'
    patched[5] = 0x4e; // 'N'
    ctx.kept.append(patched, start);
    ctx.vrOverrides.set(ctx.kept.length, h.vr);
    return;
  }
  ctx.kept.append(h.bytes, start);
}

/** Walks a data set: the top level (until Pixel Data or the end) or an undefined-length item (until its
 * delimiter). */
export function* walkDataset(ctx: WalkContext, enc: Encoding, top: boolean): Walker {
  let previous = '';
  for (;;) {
    const start = ctx.at();
    const h: ElementHeader = { ...(yield* readElementHeader(enc, top ? 'next element' : 'element in item', top)), offset: start };
    if (h.tag.startsWith('FFFE')) {
      if (!top && h.tag === 'FFFEE00D') {
        checkDelimiter(h, start);
        keepHeader(ctx, h, start);
        return;
      }
      throw broken(`unexpected ${tagText(h.tag)} at offset ${start}`);
    }
    // PS3.5 7.1 wants ascending tags; DCMTK reads other orders, and so do we (with a warning).
    if (top && h.tag <= previous && !ctx.warnings.some((w) => w.includes('ascending order'))) {
      ctx.warnings.push(`element ${atOffset(h, ctx)} out of ascending order`);
    }
    previous = h.tag;
    if (top && h.tag === '7FE00010') {
      yield* walkTopPixelData(ctx, enc, h, start);
      yield { kind: 'rest' };
      return;
    }
    yield* walkValue(ctx, enc, h, start, top);
  }
}

/** PS3.5 7.5: delimitation items have length 0. */
function checkDelimiter(h: ElementHeader, start: number): void {
  if (h.length !== 0) throw broken(`delimitation item ${tagText(h.tag)} at offset ${start} has length ${h.length}`);
}

/** Odd lengths break PS3.5 7.1.1 but DCMTK and pydicom read them: a warning, not a rejection. */
function noteOddLength(ctx: WalkContext, h: ElementHeader): void {
  if (h.length % 2 === 1 && h.length !== UNDEFINED_LENGTH && !ctx.warnings.some((w) => w.startsWith('odd length'))) {
    ctx.warnings.push(`odd length ${h.length} of element ${atOffset(h, ctx)}`);
  }
}

function* walkValue(ctx: WalkContext, enc: Encoding, h: ElementHeader, start: number, top: boolean): Walker {
  noteOddLength(ctx, h);
  if (h.length === UNDEFINED_LENGTH) {
    const sequence = h.vr === 'SQ' || h.vr === 'UN' || !enc.explicit || h.tag === '7FE00010';
    if (!sequence) throw broken(`undefined length not allowed for ${h.vr} element ${atOffset(h, ctx)}`);
    keepHeader(ctx, h, start);
    // PS3.5 6.2.2: an undefined-length UN holds an implicit VR little endian sequence.
    const inner = h.vr === 'UN' ? { explicit: false, littleEndian: true } : enc;
    yield* walkSequence(ctx, inner, h);
    return;
  }
  if (top && BINARY_VRS.has(h.vr) && h.length > BULK_THRESHOLD && ctx.offsetsInObject && !ALWAYS_KEPT.has(h.tag)) {
    yield* omitValue(ctx, enc, h, start);
    return;
  }
  if (h.length > ctx.kept.room - h.bytes.length) {
    throw broken(`length ${h.length} of element ${atOffset(h, ctx)} exceeds maxHeaderBytes`);
  }
  keepHeader(ctx, h, start);
  yield { kind: 'pass', length: h.length, keep: true, what: 'value of', tag: h.tag };
}

/** Keeps the header with a zero length and records where the value lies in the object. */
function* omitValue(ctx: WalkContext, enc: Encoding, h: ElementHeader, start: number): Walker {
  const patched = Uint8Array.from(h.bytes);
  if (patched.length === 12 && UNKNOWN_TO_PARSER.has(h.vr)) {
    patched[4] = 0x55;
    patched[5] = 0x4e;
  }
  const view = new DataView(patched.buffer);
  if (patched.length === 12) view.setUint32(8, 0, enc.littleEndian);
  else if (enc.explicit) view.setUint16(6, 0, enc.littleEndian);
  else view.setUint32(4, 0, enc.littleEndian);
  ctx.kept.append(patched, start);
  ctx.omitted.set(ctx.kept.length, { offset: ctx.at(), length: h.length });
  if (UNKNOWN_TO_PARSER.has(h.vr)) ctx.vrOverrides.set(ctx.kept.length, h.vr);
  yield { kind: 'pass', length: h.length, keep: false, what: 'value of', tag: h.tag };
}

function* walkSequence(ctx: WalkContext, enc: Encoding, sq: ElementHeader): Walker {
  for (;;) {
    const start = ctx.at();
    const item = yield* readElementHeader(enc, 'item of', false, sq.tag);
    if (item.tag === 'FFFEE0DD') {
      checkDelimiter(item, start);
      keepHeader(ctx, item, start);
      return;
    }
    if (item.tag !== 'FFFEE000') throw broken(`${tagText(item.tag)} at offset ${start} inside sequence ${tagText(sq.tag)}`);
    keepHeader(ctx, item, start);
    if (item.length === UNDEFINED_LENGTH) {
      yield* walkDataset(ctx, enc, false);
    } else {
      if (item.length > ctx.kept.room) throw broken(`item length ${item.length} at offset ${start} exceeds maxHeaderBytes`);
      yield { kind: 'pass', length: item.length, keep: true, what: 'item of', tag: sq.tag };
    }
  }
}

function* walkTopPixelData(ctx: WalkContext, enc: Encoding, h: ElementHeader, start: number): Walker {
  const valueOffset = ctx.at();
  const pixel: PixelDataInfo = { vr: h.vr || 'OW', valueOffset, basicOffsetTable: [], fragments: [], firstFragmentItem: -1, end: -1 };
  if (h.length !== UNDEFINED_LENGTH) {
    ctx.pixel = { ...pixel, length: h.length, end: valueOffset + h.length };
    yield* pass(h.length, false, 'Pixel Data');
    return;
  }
  ctx.pixel = { ...pixel, vr: enc.explicit ? h.vr : 'OB' };
  const first = yield* readElementHeader(enc, 'Basic Offset Table item');
  if (first.tag !== 'FFFEE000' || first.length === UNDEFINED_LENGTH) {
    throw broken(`encapsulated Pixel Data at offset ${start} does not start with a Basic Offset Table item`);
  }
  if (first.length % 4 !== 0 || first.length > ctx.kept.room) throw broken(`Basic Offset Table length ${first.length} at offset ${valueOffset}`);
  const table = yield* read(first.length, 'Basic Offset Table');
  for (let i = 0; i < first.length; i += 4) ctx.pixel.basicOffsetTable.push(u32(table, i, true));
  yield* walkFragments(ctx, enc, ctx.pixel);
  ctx.pixel.end = ctx.at();
}

function* walkFragments(ctx: WalkContext, enc: Encoding, pixel: PixelDataInfo): Walker {
  pixel.firstFragmentItem = ctx.at();
  for (;;) {
    const itemOffset = ctx.at();
    const item = yield* readElementHeader(enc, 'Pixel Data fragment');
    if (item.tag === 'FFFEE0DD') {
      checkDelimiter(item, itemOffset);
      return;
    }
    if (item.tag !== 'FFFEE000' || item.length === UNDEFINED_LENGTH) {
      throw broken(`${tagText(item.tag)} with length ${item.length} at offset ${itemOffset} inside encapsulated Pixel Data`);
    }
    if (pixel.fragments.length >= ctx.maxFragments) throw broken(`more than ${ctx.maxFragments} Pixel Data fragments`);
    const offset = ctx.at();
    let marker = -1;
    if (item.length >= 2) {
      const head = yield* read(2, 'Pixel Data fragment');
      marker = ((head[0] ?? 0) << 8) | (head[1] ?? 0);
      yield* pass(item.length - 2, false, 'Pixel Data fragment');
    } else {
      yield* pass(item.length, false, 'Pixel Data fragment');
    }
    pixel.fragments.push({ offset, length: item.length, marker });
  }
}
