// Synthetic DICOM writer for tests (PS3.10 file format, PS3.5 encodings). Small on purpose: it writes
// what a test asks for, including things a conformant writer would refuse (mismatched meta UIDs, odd
// bytes in attributes), so that the reader's answer to them can be checked.
//
//   buildDicom({ attributes: { PatientName: '王^小明', Modality: 'CT' }, charset: 'ISO_IR 192' })
//   buildDicom({ transferSyntax: 'implicitLE', pixels: { rows: 4, columns: 4, frames: 2, bitsAllocated: 16 } })
//   buildDicom({ pixels: { encapsulated: [[jpegFrame1], [jpegFrame2a, jpegFrame2b]] } })
//
// Text values are encoded in the declared charset: UTF-8 for ISO_IR 192, Latin-1 for ISO_IR 100, ASCII
// otherwise. TextEncoder cannot write GB18030/GBK or ISO 2022, so for those pass the bytes as a
// Uint8Array (tests know the bytes they want); a non-ASCII string in such a charset throws.
import { randomBytes } from 'node:crypto';
import { deflateRawSync } from 'node:zlib';
import { entryOf, tagOf } from '../../lib/dicom/dictionary.ts';

export type AttributeScalar = string | number;
export type AttributeValue =
  | AttributeScalar
  | Uint8Array
  | readonly AttributeScalar[]
  | readonly Attributes[]
  | { readonly vr: string; readonly value: AttributeScalar | Uint8Array | readonly AttributeScalar[] | readonly Attributes[] }
  | null;
/** Keys are PS3.6 keywords or 8 hex digits ('00091010'); null removes a default. */
export type Attributes = { readonly [key: string]: AttributeValue };

export type TransferSyntaxName = 'explicitLE' | 'implicitLE' | 'explicitBE' | 'deflate';

export interface NativePixels {
  readonly rows: number;
  readonly columns: number;
  readonly frames?: number;
  readonly bitsAllocated?: number;
  readonly samplesPerPixel?: number;
}

export interface EncapsulatedPixels {
  /** One array of fragments per frame. */
  readonly encapsulated: readonly (readonly Uint8Array[])[];
  /** Write a Basic Offset Table (default false: an empty first item). */
  readonly basicOffsetTable?: boolean;
  /** Number of frames to declare, when it should differ from encapsulated.length. */
  readonly numberOfFrames?: number;
}

export interface BuildDicomOptions {
  readonly attributes?: Attributes;
  /** SpecificCharacterSet value(s); omitted: no SpecificCharacterSet element. */
  readonly charset?: string | readonly string[];
  /** A TransferSyntaxName or a transfer syntax UID (default explicit VR little endian; JPEG baseline
   * when encapsulated). */
  readonly transferSyntax?: string;
  readonly pixels?: NativePixels | EncapsulatedPixels;
  /** Preamble, DICM and group 0002 (default true). */
  readonly part10?: boolean;
  /** Overrides of group 0002 elements (keyword -> value, null removes). */
  readonly meta?: Attributes;
  /** Sequences and items with undefined length (default false). */
  readonly undefinedLengthSequences?: boolean;
  /** Bytes appended after the data set (after Pixel Data). */
  readonly trailing?: Uint8Array;
}

const TS_UIDS: Readonly<Record<TransferSyntaxName, string>> = {
  explicitLE: '1.2.840.10008.1.2.1',
  implicitLE: '1.2.840.10008.1.2',
  explicitBE: '1.2.840.10008.1.2.2',
  deflate: '1.2.840.10008.1.2.1.99',
};
const JPEG_BASELINE = '1.2.840.10008.1.2.4.50';
const LONG_LENGTH_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'UC', 'UN', 'UR', 'UT', 'SV', 'UV']);
const BINARY_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'UN']);
const NUMERIC_SIZES: Readonly<Record<string, number>> = { US: 2, SS: 2, UL: 4, SL: 4, FL: 4, FD: 8, UV: 8, SV: 8, AT: 4 };
const UNDEFINED = 0xffffffff;

/** A fresh UID under the UUID root 2.25 (PS3.5 B.2). */
export function newUid(): string {
  return `2.25.${BigInt(`0x${randomBytes(16).toString('hex')}`).toString()}`;
}

interface Encoding {
  readonly explicit: boolean;
  readonly littleEndian: boolean;
  readonly charset: readonly string[];
  readonly undefinedLengths: boolean;
}

/** Bytes made on demand: a large native Pixel Data value is never held whole by dicomChunks(). */
interface LazyBytes {
  readonly length: number;
  /** Writes bytes [offset, offset + target.length) of the value into target. */
  fill(target: Uint8Array, offset: number): void;
}

type Part = Uint8Array | LazyBytes;

function resolveTag(key: string): string {
  if (/^[0-9A-Fa-f]{8}$/.test(key)) return key.toUpperCase();
  const tag = tagOf(key);
  if (!tag) throw new Error(`dicom-builder: unknown keyword ${key}`);
  return tag;
}

function defaultVr(tag: string): string {
  const vr = entryOf(tag)?.vr;
  if (!vr) return (parseInt(tag.slice(3, 4), 16) & 1) === 1 && parseInt(tag.slice(4), 16) <= 0xff ? 'LO' : 'UN';
  switch (vr) {
    case 'ox': case 'lt': return 'OW';
    case 'xs': return 'US';
    case 'up': return 'UL';
    case 'na': return 'UN';
    default: return vr;
  }
}

function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return false;
  return true;
}

function encodeText(text: string, enc: Encoding): Uint8Array {
  const first = enc.charset[0] ?? '';
  if (first === 'ISO_IR 192') return Buffer.from(text, 'utf8');
  if (first === 'ISO_IR 100') return Buffer.from(text, 'latin1');
  if (!isAscii(text)) throw new Error(`dicom-builder: cannot encode non-ASCII text in "${enc.charset.join('\\')}": pass a Uint8Array`);
  return Buffer.from(text, 'latin1');
}

function writeNumber(view: DataView, at: number, vr: string, value: number, le: boolean): void {
  switch (vr) {
    case 'US': view.setUint16(at, value, le); break;
    case 'SS': view.setInt16(at, value, le); break;
    case 'UL': view.setUint32(at, value, le); break;
    case 'SL': view.setInt32(at, value, le); break;
    case 'FL': view.setFloat32(at, value, le); break;
    case 'FD': view.setFloat64(at, value, le); break;
    case 'UV': view.setBigUint64(at, BigInt(value), le); break;
    case 'SV': view.setBigInt64(at, BigInt(value), le); break;
    default: throw new Error(`dicom-builder: ${vr} is not numeric`);
  }
}

function encodeNumbers(vr: string, values: readonly AttributeScalar[], le: boolean): Uint8Array {
  const size = NUMERIC_SIZES[vr] ?? 0;
  const out = new Uint8Array(size * values.length);
  const view = new DataView(out.buffer);
  values.forEach((value, i) => {
    if (vr === 'AT') {
      const tag = resolveTag(String(value));
      view.setUint16(i * 4, parseInt(tag.slice(0, 4), 16), le);
      view.setUint16(i * 4 + 2, parseInt(tag.slice(4), 16), le);
    } else {
      writeNumber(view, i * size, vr, Number(value), le);
    }
  });
  return out;
}

function padEven(bytes: Uint8Array, pad: number): Uint8Array {
  if (bytes.length % 2 === 0) return bytes;
  const out = new Uint8Array(bytes.length + 1);
  out.set(bytes);
  out[bytes.length] = pad;
  return out;
}

function encodeValue(vr: string, value: AttributeScalar | Uint8Array | readonly AttributeScalar[], enc: Encoding): Uint8Array {
  if (value instanceof Uint8Array) return padEven(value, BINARY_VRS.has(vr) || vr === 'UI' ? 0 : 0x20);
  const values = Array.isArray(value) ? (value as readonly AttributeScalar[]) : [value as AttributeScalar];
  if (vr in NUMERIC_SIZES) return encodeNumbers(vr, values, enc.littleEndian);
  if (BINARY_VRS.has(vr)) throw new Error(`dicom-builder: give ${vr} values as a Uint8Array`);
  const text = values.map(String).join('\\');
  return padEven(vr === 'UI' || isAscii(text) ? Buffer.from(text, 'latin1') : encodeText(text, enc), vr === 'UI' ? 0 : 0x20);
}

function header(tag: string, vr: string, length: number, enc: Encoding): Uint8Array {
  const le = enc.littleEndian;
  const long = !enc.explicit || LONG_LENGTH_VRS.has(vr) || tag.startsWith('FFFE');
  const out = new Uint8Array(enc.explicit && !tag.startsWith('FFFE') ? (long ? 12 : 8) : 8);
  const view = new DataView(out.buffer);
  view.setUint16(0, parseInt(tag.slice(0, 4), 16), le);
  view.setUint16(2, parseInt(tag.slice(4), 16), le);
  if (!enc.explicit || tag.startsWith('FFFE')) {
    view.setUint32(4, length, le);
  } else {
    out[4] = vr.charCodeAt(0);
    out[5] = vr.charCodeAt(1);
    if (long) view.setUint32(8, length, le);
    else view.setUint16(6, length, le);
  }
  return out;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  return Buffer.concat(parts);
}

function encodeSequence(tag: string, items: readonly Attributes[], enc: Encoding): Uint8Array {
  const encodedItems = items.map((item) => {
    const body = encodeDataset(item, enc);
    return enc.undefinedLengths
      ? concat([header('FFFEE000', '', UNDEFINED, enc), body, header('FFFEE00D', '', 0, enc)])
      : concat([header('FFFEE000', '', body.length, enc), body]);
  });
  const body = concat(encodedItems);
  return enc.undefinedLengths
    ? concat([header(tag, 'SQ', UNDEFINED, enc), body, header('FFFEE0DD', '', 0, enc)])
    : concat([header(tag, 'SQ', body.length, enc), body]);
}

function isItemList(value: unknown): value is readonly Attributes[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'object' && v !== null && !(v instanceof Uint8Array));
}

function encodeElement(tag: string, value: Exclude<AttributeValue, null>, enc: Encoding): Uint8Array {
  let vr = defaultVr(tag);
  let raw: unknown = value;
  if (typeof value === 'object' && !(value instanceof Uint8Array) && !Array.isArray(value) && 'vr' in value) {
    vr = value.vr;
    raw = value.value;
  }
  if (isItemList(raw) && (vr === 'SQ' || (Array.isArray(raw) && raw.length > 0))) return encodeSequence(tag, raw, enc);
  const bytes = encodeValue(vr, raw as AttributeScalar | Uint8Array | readonly AttributeScalar[], enc);
  return concat([header(tag, vr, bytes.length, enc), bytes]);
}

function encodeDataset(attributes: Attributes, enc: Encoding): Uint8Array {
  const entries = Object.entries(attributes)
    .filter((e): e is [string, Exclude<AttributeValue, null>] => e[1] !== null)
    .map(([key, value]) => [resolveTag(key), value] as const)
    .sort((a, b) => (a[0] < b[0] ? -1 : 1));
  return concat(entries.map(([tag, value]) => encodeElement(tag, value, enc)));
}

function transferSyntaxOf(options: BuildDicomOptions): string {
  const ts = options.transferSyntax;
  if (ts === undefined) return options.pixels && 'encapsulated' in options.pixels ? JPEG_BASELINE : TS_UIDS.explicitLE;
  return ts in TS_UIDS ? TS_UIDS[ts as TransferSyntaxName] : ts;
}

function nativePixelAttributes(p: NativePixels): Attributes {
  const bits = p.bitsAllocated ?? 16;
  const spp = p.samplesPerPixel ?? 1;
  return {
    Rows: p.rows, Columns: p.columns, BitsAllocated: bits, BitsStored: bits, HighBit: bits - 1,
    SamplesPerPixel: spp, PhotometricInterpretation: spp === 3 ? 'RGB' : 'MONOCHROME2', PixelRepresentation: 0,
    ...(spp === 3 ? { PlanarConfiguration: 0 } : {}),
    ...(p.frames !== undefined && p.frames > 1 ? { NumberOfFrames: p.frames } : {}),
  };
}

/** Frame f's pixel bytes are (f * 31 + i * 7) & 0xff: distinct per frame, cheap to regenerate. */
export function nativePixelByte(frameBytes: number, offset: number): number {
  const frame = Math.floor(offset / frameBytes);
  return (frame * 31 + (offset % frameBytes) * 7) & 0xff;
}

export function nativeFrameBytes(p: NativePixels): number {
  const bits = p.bitsAllocated ?? 16;
  const pixels = p.rows * p.columns * (p.samplesPerPixel ?? 1);
  return bits === 1 ? Math.ceil(pixels / 8) : (pixels * bits) / 8;
}

function nativePixelParts(p: NativePixels, enc: Encoding): Part[] {
  const frameBytes = nativeFrameBytes(p);
  const total = frameBytes * (p.frames ?? 1);
  const padded = total + (total % 2);
  const vr = (p.bitsAllocated ?? 16) > 8 ? 'OW' : 'OB';
  const value: LazyBytes = {
    length: padded,
    fill(target, offset) {
      for (let i = 0; i < target.length; i++) {
        const at = offset + i;
        // Big endian OW swaps each 16-bit word, so the frame's logical bytes stay the same values.
        const logical = !enc.littleEndian && vr === 'OW' ? at ^ 1 : at;
        target[i] = logical < total ? nativePixelByte(frameBytes, logical) : 0;
      }
    },
  };
  return [header('7FE00010', vr, padded, enc), value];
}

function encapsulatedPixelParts(p: EncapsulatedPixels, enc: Encoding): Part[] {
  const fragments = p.encapsulated.map((frame) => frame.map((f) => padEven(f, 0)));
  const offsets: number[] = [];
  let at = 0;
  for (const frame of fragments) {
    offsets.push(at);
    for (const f of frame) at += 8 + f.length;
  }
  const bot = p.basicOffsetTable ? encodeNumbers('UL', offsets, true) : new Uint8Array(0);
  const items = fragments.flat().flatMap((f) => [header('FFFEE000', '', f.length, enc), f]);
  return [concat([header('7FE00010', 'OB', UNDEFINED, enc), header('FFFEE000', '', bot.length, enc), bot, ...items, header('FFFEE0DD', '', 0, enc)])];
}

function metaGroup(dataset: Attributes, transferSyntax: string, overrides: Attributes): Uint8Array {
  const metaEnc: Encoding = { explicit: true, littleEndian: true, charset: [], undefinedLengths: false };
  const meta: Attributes = {
    FileMetaInformationVersion: { vr: 'OB', value: new Uint8Array([0, 1]) },
    MediaStorageSOPClassUID: dataset.SOPClassUID ?? null,
    MediaStorageSOPInstanceUID: dataset.SOPInstanceUID ?? null,
    TransferSyntaxUID: transferSyntax,
    ImplementationClassUID: '1.2.826.0.1.3680043.10.1561.1',
    ImplementationVersionName: 'YY_TESTKIT',
    ...overrides,
  };
  const body = encodeDataset(meta, metaEnc);
  return concat([new Uint8Array(128), Buffer.from('DICM', 'latin1'), encodeElement('00020000', { vr: 'UL', value: body.length }, metaEnc), body]);
}

function buildParts(options: BuildDicomOptions): Part[] {
  const transferSyntax = transferSyntaxOf(options);
  const charset = options.charset === undefined ? [] : typeof options.charset === 'string' ? [options.charset] : options.charset;
  const enc: Encoding = {
    explicit: transferSyntax !== TS_UIDS.implicitLE,
    littleEndian: transferSyntax !== TS_UIDS.explicitBE,
    charset,
    undefinedLengths: options.undefinedLengthSequences ?? false,
  };
  const pixels = options.pixels;
  const dataset: Attributes = {
    SOPClassUID: '1.2.840.10008.5.1.4.1.1.7',
    SOPInstanceUID: newUid(),
    StudyInstanceUID: newUid(),
    SeriesInstanceUID: newUid(),
    Modality: 'OT',
    ...(charset.length > 0 ? { SpecificCharacterSet: charset } : {}),
    ...(pixels && !('encapsulated' in pixels) ? nativePixelAttributes(pixels) : {}),
    ...(pixels && 'encapsulated' in pixels ? encapsulatedAttributes(pixels) : {}),
    ...options.attributes,
  };
  const body: Part[] = [encodeDataset(dataset, enc)];
  if (pixels) body.push(...('encapsulated' in pixels ? encapsulatedPixelParts(pixels, enc) : nativePixelParts(pixels, enc)));
  const parts: Part[] = options.part10 === false ? [] : [metaGroup(dataset, transferSyntax, options.meta ?? {})];
  if (transferSyntax === TS_UIDS.deflate) parts.push(deflateRawSync(concat(body.map(materialize))));
  else parts.push(...body);
  if (options.trailing) parts.push(options.trailing);
  return parts;
}

function encapsulatedAttributes(p: EncapsulatedPixels): Attributes {
  return {
    Rows: 8, Columns: 8, BitsAllocated: 8, BitsStored: 8, HighBit: 7, SamplesPerPixel: 1,
    PhotometricInterpretation: 'MONOCHROME2', PixelRepresentation: 0,
    NumberOfFrames: p.numberOfFrames ?? p.encapsulated.length,
  };
}

function materialize(part: Part): Uint8Array {
  if (part instanceof Uint8Array) return part;
  const out = new Uint8Array(part.length);
  part.fill(out, 0);
  return out;
}

/** The whole object in one Buffer. */
export function buildDicom(options: BuildDicomOptions = {}): Buffer {
  return Buffer.concat(buildParts(options).map(materialize));
}

/** The same bytes as buildDicom(), in chunks of chunkSize, without holding a large pixel value whole. */
export function* dicomChunks(options: BuildDicomOptions, chunkSize: number): Generator<Uint8Array> {
  for (const part of buildParts(options)) {
    for (let offset = 0; offset < part.length; offset += chunkSize) {
      const length = Math.min(chunkSize, part.length - offset);
      if (part instanceof Uint8Array) {
        yield part.subarray(offset, offset + length);
      } else {
        const out = new Uint8Array(length);
        part.fill(out, offset);
        yield out;
      }
    }
  }
}

/** Size in bytes of what buildDicom(options) would return. */
export function dicomSize(options: BuildDicomOptions): number {
  return buildParts(options).reduce((sum, part) => sum + part.length, 0);
}
