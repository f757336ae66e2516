// A dicom-parser data set to the DICOM JSON Model (PS3.18 F.2): numbers for IS, DS and the binary
// numeric VRs, strings for the other string VRs, tags for AT, nested data sets for SQ, PN as
// {Alphabetic, Ideographic, Phonetic}; small binary values inline (base64), large ones as BulkDataURI
// placeholders. Group 0002 and group lengths are left out (F.2.1: the JSON carries the data set).
import dicomParser from 'dicom-parser';
import type { DataSet, Element } from 'dicom-parser';
import type { DicomJsonDataset, DicomJsonElement, DicomJsonValue, PersonNameJson } from './dicom-json.ts';
import type { TextDecoding } from './decode-text.ts';
import { entryOf, vrOf } from './dictionary.ts';
import { BINARY_VRS, BULK_THRESHOLD } from './walk-elements.ts';

export interface BulkPlacement {
  /** Where an element's value lies in the stored object, or undefined when it cannot be range-read. */
  rangeOf(element: Element): { readonly offset: number; readonly length: number } | undefined;
  /** Called for each bulk element that got a placeholder (path: tags and item indexes joined by '.'). */
  record(path: string, range: { readonly offset: number; readonly length: number }): void;
}

export interface JsonOptions {
  readonly text: TextDecoding;
  /** The decoding for an item that declares its own SpecificCharacterSet (PS3.5 6.1.2.1, note). */
  readonly textFor: (declared: readonly string[]) => TextDecoding;
  readonly littleEndian: boolean;
  readonly bulk: BulkPlacement;
  readonly warnings: string[];
  /** The element's real VR when the kept copy had to hide it from dicom-parser. */
  readonly vrAt: (dataOffset: number) => string | undefined;
  /** PixelRepresentation 1: "US or SS" elements are SS (PS3.3 C.7.6.3.1). */
  readonly signedPixels: boolean;
  /** Implicit VR: dicom-parser's VRs are the dictionary's guesses, refined here. */
  readonly explicit: boolean;
}

const NUMERIC_SIZE: Readonly<Record<string, number>> = { US: 2, SS: 2, UL: 4, SL: 4, FL: 4, FD: 8, UV: 8, SV: 8 };
const SINGLE_VALUED_TEXT: ReadonlySet<string> = new Set(['LT', 'ST', 'UT', 'UR']);
const SWAP_SIZE: Readonly<Record<string, number>> = { OW: 2, OF: 4, OL: 4, OD: 8, OV: 8 };

export function bulkPlaceholder(tag: string, range: { readonly offset: number; readonly length: number }): string {
  return `bulk:${tag}:${range.offset}:${range.length}`;
}

export function toDicomJson(dataSet: DataSet, options: JsonOptions, path = ''): DicomJsonDataset {
  const out: Record<string, DicomJsonElement> = {};
  const keys = Object.keys(dataSet.elements).sort();
  for (const key of keys) {
    const element = dataSet.elements[key];
    const tag = key.slice(1).toUpperCase();
    if (!element || tag.startsWith('0002') || tag.endsWith('0000') || tag.startsWith('FFFE')) continue;
    out[tag] = toJsonElement(dataSet, element, tag, options, path ? `${path}.${tag}` : tag);
  }
  return out;
}

/** The dictionary's VR, "US or SS" resolved by PixelRepresentation. */
function dictionaryVr(tag: string, options: JsonOptions): string {
  return entryOf(tag)?.vr === 'xs' ? (options.signedPixels ? 'SS' : 'US') : vrOf(tag);
}

function elementVr(element: Element, tag: string, options: JsonOptions): string {
  const parsed = options.explicit || element.items ? element.vr : undefined;
  const vr = options.vrAt(element.dataOffset) ?? parsed ?? (element.items ? 'SQ' : dictionaryVr(tag, options));
  // A standard element sent as UN (GDCM conversions do this) is read with its dictionary VR, as PS3.5
  // 6.2.2 allows; UN sequences of defined length stay UN.
  if (vr === 'UN' && (parseInt(tag.slice(3, 4), 16) & 1) === 0) {
    const known = dictionaryVr(tag, options);
    if (known !== 'UN' && known !== 'SQ') return known;
  }
  return vr;
}

/** dicom-parser asks for implicit VRs; unknown and private tags stay undefined so that it looks. */
export function implicitVr(tag: string): string | undefined {
  const vr = vrOf(tag.slice(1));
  return vr === 'UN' ? undefined : vr;
}

/** A standard sequence sent as UN holds implicit VR little endian items (PS3.5 6.2.2). */
function unSequenceItems(dataSet: DataSet, element: Element, tag: string, options: JsonOptions): Element[] | undefined {
  if (element.items || element.length === 0 || (parseInt(tag.slice(3, 4), 16) & 1) === 1 || vrOf(tag) !== 'SQ') return undefined;
  try {
    const copy: Element = { ...element };
    const stream = new dicomParser.ByteStream(dicomParser.littleEndianByteArrayParser, dataSet.byteArray, element.dataOffset);
    dicomParser.readSequenceItemsImplicit(stream, copy, implicitVr as (tag: string) => string);
    return copy.items;
  } catch {
    options.warnings.push(`(${tag.slice(0, 4)},${tag.slice(4)}) sent as UN does not hold a sequence: kept as UN`);
    return undefined;
  }
}

function toJsonElement(dataSet: DataSet, element: Element, tag: string, options: JsonOptions, path: string): DicomJsonElement {
  const vr = elementVr(element, tag, options);
  const unItems = vr === 'UN' ? unSequenceItems(dataSet, element, tag, options) : undefined;
  if (unItems) {
    const implicitOptions = { ...options, explicit: false };
    const items = unItems.map((item, i) => (item.dataSet ? toDicomJson(item.dataSet, itemOptions(item.dataSet, implicitOptions), `${path}.${i}`) : {}));
    return items.length > 0 ? { vr: 'SQ', Value: items } : { vr: 'SQ' };
  }
  if (vr === 'SQ' || element.items) {
    const items = (element.items ?? []).map((item, i) =>
      item.dataSet ? toDicomJson(item.dataSet, itemOptions(item.dataSet, options), `${path}.${i}`) : {});
    return items.length > 0 ? { vr: 'SQ', Value: items } : { vr: 'SQ' };
  }
  if (BINARY_VRS.has(vr) || tag === '7FE00010') return binaryElement(dataSet, element, tag, vr, options, path);
  if (element.length === 0) return { vr };
  const bytes = dataSet.byteArray.subarray(element.dataOffset, element.dataOffset + element.length);
  const values = valuesOf(bytes, vr, options, tag);
  return values.length > 0 ? { vr, Value: values } : { vr };
}

/** SpecificCharacterSet values as written (PS3.5 6.1.2.1: ASCII), possibly empty ones. */
export function declaredCharacterSets(dataSet: DataSet): string[] {
  const element = dataSet.elements.x00080005;
  if (!element || element.length === 0) return [];
  const bytes = dataSet.byteArray.subarray(element.dataOffset, element.dataOffset + element.length);
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1').split('\\').map((t) => t.replace(/[\0 ]+$/, '').trim());
}

function itemOptions(dataSet: DataSet, options: JsonOptions): JsonOptions {
  const declared = declaredCharacterSets(dataSet);
  return declared.length > 0 ? { ...options, text: options.textFor(declared) } : options;
}

function binaryElement(dataSet: DataSet, element: Element, tag: string, vr: string, options: JsonOptions, path: string): DicomJsonElement {
  const range = options.bulk.rangeOf(element);
  if (range && (range.length > BULK_THRESHOLD || range.length !== element.length)) {
    options.bulk.record(path, range);
    return { vr, BulkDataURI: bulkPlaceholder(tag, range) };
  }
  if (element.length > BULK_THRESHOLD || element.length === 0xffffffff) {
    options.warnings.push(`bulk value of (${tag.slice(0, 4)},${tag.slice(4)}) cannot be range-read: left out`);
    return { vr };
  }
  if (element.length === 0) return { vr };
  let bytes = dataSet.byteArray.subarray(element.dataOffset, element.dataOffset + element.length);
  const size = SWAP_SIZE[vr];
  if (!options.littleEndian && size) bytes = swapBytes(bytes, size);
  return { vr, InlineBinary: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64') };
}

function swapBytes(bytes: Uint8Array, size: number): Uint8Array {
  const out = new Uint8Array(bytes.length);
  for (let i = 0; i + size <= bytes.length; i += size) {
    for (let j = 0; j < size; j++) out[i + j] = bytes[i + size - 1 - j] ?? 0;
  }
  return out;
}

function valuesOf(bytes: Uint8Array, vr: string, options: JsonOptions, tag: string): DicomJsonValue[] {
  const size = NUMERIC_SIZE[vr];
  if (size) return numbersOf(bytes, vr, size, options.littleEndian);
  if (vr === 'AT') return tagsOf(bytes, options.littleEndian);
  const text = options.text.decode(bytes, vr);
  if (SINGLE_VALUED_TEXT.has(vr)) {
    const value = text.replace(/[\0 ]+$/, '');
    return value === '' ? [] : [value];
  }
  const parts = text.split('\\').map((v) => v.replace(/^ +/, '').replace(/[\0 ]+$/, ''));
  if (parts.every((p) => p === '')) return [];
  if (vr === 'PN') {
    const names = parts.map(personNameOf);
    return names.every((n) => Object.keys(n).length === 0) ? [] : names;
  }
  if (vr === 'IS' || vr === 'DS') return decimalsOf(parts, tag, options.warnings);
  return parts;
}

function decimalsOf(parts: readonly string[], tag: string, warnings: string[]): DicomJsonValue[] {
  const out: number[] = [];
  for (const part of parts) {
    const n = part === '' ? NaN : Number(part);
    if (Number.isFinite(n)) out.push(n);
    else warnings.push(`(${tag.slice(0, 4)},${tag.slice(4)}) value "${part.slice(0, 32)}" is not a number: left out`);
  }
  return out;
}

/** PS3.5 6.2.1: up to three component groups, alphabetic=ideographic=phonetic. */
export function personNameOf(value: string): PersonNameJson {
  // Trailing component delimiters carry nothing (PS3.5 6.2.1.1): 'Doe^John^^' is 'Doe^John'.
  const [alphabetic, ideographic, phonetic] = value.split('=').map((g) => g.replace(/[\0 ^]+$/, ''));
  return {
    ...(alphabetic ? { Alphabetic: alphabetic } : {}),
    ...(ideographic ? { Ideographic: ideographic } : {}),
    ...(phonetic ? { Phonetic: phonetic } : {}),
  };
}

function numbersOf(bytes: Uint8Array, vr: string, size: number, le: boolean): DicomJsonValue[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: DicomJsonValue[] = [];
  for (let at = 0; at + size <= bytes.length; at += size) {
    switch (vr) {
      case 'US': out.push(view.getUint16(at, le)); break;
      case 'SS': out.push(view.getInt16(at, le)); break;
      case 'UL': out.push(view.getUint32(at, le)); break;
      case 'SL': out.push(view.getInt32(at, le)); break;
      case 'FL': out.push(view.getFloat32(at, le)); break;
      case 'FD': out.push(view.getFloat64(at, le)); break;
      default: out.push(bigValue(vr === 'UV' ? view.getBigUint64(at, le) : view.getBigInt64(at, le)));
    }
  }
  return out;
}

/** PS3.18 F.2.3.1: 64-bit integers beyond 2^53 travel as strings. */
function bigValue(value: bigint): number | string {
  return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(value) : value.toString();
}

function tagsOf(bytes: Uint8Array, le: boolean): DicomJsonValue[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: string[] = [];
  for (let at = 0; at + 4 <= bytes.length; at += 4) {
    out.push((view.getUint16(at, le).toString(16).padStart(4, '0') + view.getUint16(at + 2, le).toString(16).padStart(4, '0')).toUpperCase());
  }
  return out;
}
