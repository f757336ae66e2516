// createHeaderReader(): the incremental header reader ingest feeds while an object streams to the spool
// (contract in parsed-instance.ts). The walker keeps the data set up to Pixel Data and records where
// pixel data and bulk values lie; finish() parses the kept bytes with dicom-parser and builds the
// ParsedInstance (DICOM JSON, frames, bulk data ranges), validated.
import dicomParser from 'dicom-parser';
import type { ByteArrayParser, DataSet, Element } from 'dicom-parser';
import { constants, inflateRawSync } from 'node:zlib';
import type { ByteRange } from '../blob-store/blob-store.ts';
import { OutcomeError } from '../outcome/outcome.ts';
import { ByteFeeder } from './byte-feeder.ts';
import { computeFrames } from './compute-frames.ts';
import { createTextDecoding } from './decode-text.ts';
import type { DicomJsonDataset, DicomJsonElement } from './dicom-json.ts';
import { KeptBytes } from './kept-bytes.ts';
import type { HeaderReader, HeaderReaderOptions, ParsedInstance } from './parsed-instance.ts';
import { bulkPlaceholder, declaredCharacterSets, implicitVr, toDicomJson } from './to-dicom-json.ts';
import type { BulkPlacement } from './to-dicom-json.ts';
import { validateInstance } from './validate-instance.ts';
import type { InstanceIdentifiers } from './validate-instance.ts';
import { tagText, walkDataset } from './walk-elements.ts';
import type { WalkContext } from './walk-elements.ts';
import { walkObject } from './walk-object.ts';
import type { ObjectContext } from './walk-object.ts';
import { readGeometry } from './read-geometry.ts';

interface Reading {
  readonly options: HeaderReaderOptions;
  readonly validate: boolean;
  readonly ctx: ObjectContext;
  feeder: ByteFeeder;
  /** The first bytes, replayed when the object turns out shorter than a preamble. */
  readonly head: Uint8Array;
  total: number;
  trailing: number;
  readonly compressed: Uint8Array[];
  compressedLength: number;
  compressedCut: boolean;
  failed?: OutcomeError;
}

type DataSetConstructor = new (parser: ByteArrayParser, byteArray: Uint8Array, elements: Record<string, Element>) => DataSet;

export interface ReaderBehaviour {
  /** False: return what was read even without valid UIDs (diagnostics, tests of decoding). Default true. */
  readonly validate?: boolean;
}

export interface MeasuredHeaderReader extends HeaderReader {
  /** Bytes the reader holds now (kept header capacity, compressed data); for memory checks. */
  retainedBytes(): number;
}

export function createHeaderReader(options: HeaderReaderOptions, behaviour: ReaderBehaviour = {}): MeasuredHeaderReader {
  const reading = startReading(options, false, behaviour.validate ?? true);
  return {
    push(chunk) {
      guard(reading, () => pushChunk(reading, chunk));
    },
    finish() {
      return guard(reading, () => finishReading(reading));
    },
    retainedBytes() {
      return reading.ctx.kept.capacity + reading.compressedLength + reading.head.length;
    },
  };
}

function newContext(options: HeaderReaderOptions, at: () => number, offsetsInObject: boolean): ObjectContext {
  return {
    kept: new KeptBytes(options.maxHeaderBytes),
    at,
    maxFragments: Math.max(1024, Math.floor(options.maxHeaderBytes / 16)),
    offsetsInObject,
    omitted: new Map(),
    vrOverrides: new Map(),
    warnings: [],
    hasPart10: false,
    meta: new Map(),
    deflated: false,
    ...(options.transferSyntaxUid !== undefined ? { transferSyntaxOption: options.transferSyntaxUid } : {}),
  };
}

function startReading(options: HeaderReaderOptions, short: boolean, validate: boolean): Reading {
  const ref: { feeder?: ByteFeeder } = {};
  const ctx = newContext(options, () => ref.feeder?.position ?? 0, true);
  const reading: Reading = {
    options, validate, ctx, head: new Uint8Array(132), total: 0, trailing: 0, compressed: [], compressedLength: 0, compressedCut: false,
    feeder: undefined as unknown as ByteFeeder,
  };
  ref.feeder = new ByteFeeder(walkObject(ctx, short), {
    keep: (bytes, offset) => ctx.kept.append(bytes, offset),
    rest: (bytes) => collectRest(reading, bytes),
  });
  reading.feeder = ref.feeder;
  return reading;
}

function guard<T>(reading: Reading, work: () => T): T {
  if (reading.failed !== undefined) throw reading.failed;
  try {
    return work();
  } catch (error) {
    const outcome = error instanceof OutcomeError ? error : new OutcomeError('cannotUnderstand', `unreadable DICOM: ${describe(error)}`);
    reading.failed = outcome;
    throw outcome;
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'string') return error;
  if (typeof error === 'object' && error !== null && 'exception' in error) return describe(error.exception);
  return 'unknown error';
}

function pushChunk(reading: Reading, chunk: Uint8Array): void {
  if (reading.total < reading.head.length) {
    reading.head.set(chunk.subarray(0, reading.head.length - reading.total), reading.total);
  }
  reading.total += chunk.length;
  reading.feeder.push(chunk);
}

function collectRest(reading: Reading, bytes: Uint8Array): void {
  if (!reading.ctx.deflated) {
    reading.trailing += bytes.length;
    return;
  }
  // The compressed data set is kept up to maxHeaderBytes: enough to inflate any header the limit allows.
  const room = reading.options.maxHeaderBytes - reading.compressedLength;
  if (room <= 0) {
    reading.compressedCut = true;
    return;
  }
  const part = Uint8Array.from(bytes.subarray(0, room));
  reading.compressed.push(part);
  reading.compressedLength += part.length;
  if (part.length < bytes.length) reading.compressedCut = true;
}

function checkEnd(feeder: ByteFeeder, what: string): void {
  if (feeder.done) return;
  const { need, received } = feeder.waiting();
  if (need === undefined || need.kind === 'rest') return;
  if (need.kind === 'read' && need.boundary === true && received === 0) return;
  const detail = need.kind === 'unread' ? what : need.tag === undefined ? need.what : `${need.what} ${tagText(need.tag)}`;
  throw new OutcomeError('cannotUnderstand', `truncated ${what}: it ends at offset ${feeder.position} inside ${detail}`);
}

function finishReading(reading: Reading): ParsedInstance {
  const waiting = reading.feeder.waiting().need;
  if (reading.total < reading.head.length && waiting?.kind === 'read' && waiting.what === 'preamble') {
    // Shorter than a preamble: no Part 10 header, a (small) bare data set.
    const again = startReading(reading.options, true, reading.validate);
    pushChunk(again, reading.head.subarray(0, reading.total));
    return finishReading(again);
  }
  if (reading.ctx.deflated) return finishDeflated(reading);
  checkEnd(reading.feeder, 'object');
  if (reading.trailing > 0) reading.ctx.warnings.push(`${reading.trailing} bytes after Pixel Data not read`);
  return buildInstance(reading, reading.ctx);
}

/** PS3.5 A.5: everything after group 0002 is deflated. Frames and bulk values cannot be range reads. */
function finishDeflated(reading: Reading): ParsedInstance {
  const compressed = Buffer.concat(reading.compressed);
  const { inflated, partial } = inflatePrefix(compressed, reading.options.maxHeaderBytes);
  const ref: { feeder?: ByteFeeder } = {};
  const ctx: WalkContext = newContext(reading.options, () => ref.feeder?.position ?? 0, false);
  const feeder = new ByteFeeder(walkDataset(ctx, { explicit: true, littleEndian: true }, true), {
    keep: (bytes, offset) => ctx.kept.append(bytes, offset),
    rest: () => undefined,
  });
  ref.feeder = feeder;
  feeder.push(inflated);
  if (partial || reading.compressedCut) {
    if (!feeder.done && feeder.waiting().need?.kind !== 'rest') {
      throw new OutcomeError('cannotUnderstand', 'deflated header exceeds maxHeaderBytes');
    }
  } else {
    checkEnd(feeder, 'deflated data set');
  }
  ctx.warnings.push('deflated transfer syntax: frames and bulk data cannot be range reads');
  return buildInstance(reading, ctx);
}

function inflatePrefix(compressed: Buffer, limit: number): { inflated: Buffer; partial: boolean } {
  let prefix = compressed.length;
  for (;;) {
    try {
      const inflated = inflateRawSync(compressed.subarray(0, prefix), { finishFlush: constants.Z_SYNC_FLUSH, maxOutputLength: limit * 4 });
      return { inflated, partial: prefix < compressed.length };
    } catch (error) {
      // Pixel data inflates past the output cap: a shorter prefix still holds the header.
      if (error instanceof RangeError && prefix > 4096) {
        prefix = Math.floor(prefix / 2);
        continue;
      }
      throw new OutcomeError('cannotUnderstand', `deflated data set cannot be inflated: ${describe(error)}`);
    }
  }
}

function parseKept(bytes: Uint8Array, explicit: boolean, littleEndian: boolean): DataSet {
  const parser = littleEndian ? dicomParser.littleEndianByteArrayParser : dicomParser.bigEndianByteArrayParser;
  const DataSetClass = (dicomParser as unknown as { DataSet: DataSetConstructor }).DataSet;
  const dataSet = new DataSetClass(parser, bytes, {});
  const stream = new dicomParser.ByteStream(parser, bytes, 0);
  dataSet.warnings = stream.warnings;
  if (explicit) dicomParser.parseDicomDataSetExplicit(dataSet, stream, bytes.length);
  else dicomParser.parseDicomDataSetImplicit(dataSet, stream, bytes.length, { untilTag: '', vrCallback: implicitVr as (tag: string) => string });
  return dataSet;
}


function bulkPlacement(ctx: WalkContext, bulkData: Record<string, ByteRange>): BulkPlacement {
  return {
    rangeOf(element) {
      if (!ctx.offsetsInObject) return undefined;
      const omitted = ctx.omitted.get(element.dataOffset);
      if (omitted && element.length === 0) return omitted;
      return { offset: ctx.kept.objectOffsetOf(element.dataOffset), length: element.length };
    },
    record(path, range) {
      bulkData[path] = range;
    },
  };
}

/** reading.ctx holds what the object's start told (meta, Part 10); `data` the walked data set. */
function buildInstance(reading: Reading, data: WalkContext): ParsedInstance {
  const { ctx: object, options } = reading;
  const ts = object.transferSyntax;
  if (!ts) throw new OutcomeError('cannotUnderstand', 'no transfer syntax');
  const warnings = [...object.warnings, ...(data === object ? [] : data.warnings)];
  const dataSet = parseKept(data.kept.view(), ts.explicit, ts.littleEndian);
  warnings.push(...dataSet.warnings);
  const declared = declaredCharacterSets(dataSet);
  const text = createTextDecoding(declared, options.defaultCharacterSet, warnings);
  const bulkData: Record<string, ByteRange> = {};
  const json: Record<string, DicomJsonElement> = { ...toDicomJson(dataSet, {
    text, textFor: (d) => createTextDecoding(d, options.defaultCharacterSet, warnings),
    littleEndian: ts.littleEndian, bulk: bulkPlacement(data, bulkData), warnings,
    vrAt: (offset) => data.vrOverrides.get(offset),
    signedPixels: dataSet.elements.x00280103 !== undefined && dataSet.uint16('x00280103') === 1,
    explicit: ts.explicit,
  }) };
  if (declared.length === 0 && text.sawNonAscii()) warnings.push(`no SpecificCharacterSet: text decoded as ${text.decodedWith.join('\\')}`);
  const pixel = data.pixel;
  let frames: ByteRange[][] = [];
  if (pixel) {
    json['7FE00010'] = data.offsetsInObject
      ? { vr: pixel.vr, BulkDataURI: bulkPlaceholder('7FE00010', { offset: pixel.valueOffset, length: pixel.end - pixel.valueOffset }) }
      : { vr: pixel.vr };
    if (data.offsetsInObject) frames = computeFrames(pixel, readGeometry(json, dataSet, warnings), warnings);
  }
  const ids = reading.validate ? validateInstance(json, object.meta) : unvalidatedIds(json);
  const mediaClass = object.meta.get('00020002');
  return {
    ...ids,
    transferSyntaxUid: ts.uid,
    hasPart10Header: object.hasPart10,
    ...(mediaClass ? { mediaStorageSopClassUid: mediaClass } : {}),
    specificCharacterSet: declared,
    decodedWith: text.decodedWith,
    dataset: json,
    frames,
    bulkData,
    warnings,
  };
}

function unvalidatedIds(json: DicomJsonDataset): InstanceIdentifiers {
  const text = (tag: string) => {
    const value = json[tag]?.Value?.[0];
    return typeof value === 'string' ? value : '';
  };
  return { sopClassUid: text('00080016'), sopInstanceUid: text('00080018'), studyInstanceUid: text('0020000D'), seriesInstanceUid: text('0020000E') };
}
