// How an object starts (PS3.10 7.1): a 128-byte preamble, "DICM" and the File Meta Information
// (group 0002, explicit VR little endian), or a bare data set as DIMSE carries it. For a bare data set
// without a known transfer syntax the encoding is guessed from its first element, as DCMTK does:
// a valid VR in bytes 4-5 means explicit VR, the smaller group number tells the byte order.
import type { Need, Walker } from './byte-feeder.ts';
import { OutcomeError } from '../outcome/outcome.ts';
import { EXPLICIT_BE, EXPLICIT_LE, IMPLICIT_LE, transferSyntaxOf } from './transfer-syntaxes.ts';
import type { TransferSyntax } from './transfer-syntaxes.ts';
import { VALID_VRS, broken, completeHeader, read, tagText, u32, walkDataset } from './walk-elements.ts';
import type { Encoding, WalkContext } from './walk-elements.ts';

export interface ObjectContext extends WalkContext {
  readonly transferSyntaxOption?: string;
  hasPart10: boolean;
  /** Group 0002 values as text (trailing NUL and spaces removed), by tag. */
  readonly meta: Map<string, string>;
  transferSyntax?: TransferSyntax;
  /** Set when the rest of the object is deflated (PS3.5 A.5): the caller inflates it. */
  deflated: boolean;
}

const MAX_META_VALUE = 64 * 1024;
const META_LE: Encoding = { explicit: true, littleEndian: true };

export function trimValue(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1').replace(/[\0 ]+$/, '').replace(/^ +/, '');
}

/** Walks a whole object; `short`: it is known to be shorter than a preamble (so it has none). */
export function* walkObject(ctx: ObjectContext, short = false): Walker {
  const prefix = short ? new Uint8Array(0) : Uint8Array.from(yield* read(132, 'preamble'));
  const dicm = prefix[128] === 0x44 && prefix[129] === 0x49 && prefix[130] === 0x43 && prefix[131] === 0x4d;
  if (!dicm && !short) yield { kind: 'unread', bytes: prefix };
  ctx.hasPart10 = dicm;
  const first = Uint8Array.from(yield* read(8, 'first element'));
  if (!dicm && first[0] === 0x02 && first[1] === 0x00) ctx.warnings.push('File Meta Information without preamble');
  let peeked: Uint8Array | undefined;
  if (first[0] === 0x02 && first[1] === 0x00) {
    peeked = yield* walkMeta(ctx, first);
  } else if (dicm) {
    throw broken('no File Meta Information after the DICM prefix');
  } else {
    yield { kind: 'unread', bytes: first };
  }
  const ts = yield* chooseTransferSyntax(ctx, peeked);
  ctx.transferSyntax = ts;
  if (ts.deflated) {
    if (peeked) yield { kind: 'unread', bytes: peeked };
    ctx.deflated = true;
    yield { kind: 'rest' };
    return;
  }
  // The first data set element was read as explicit VR little endian while looking for the end of
  // group 0002: it is read again in the data set's own encoding.
  if (peeked) yield { kind: 'unread', bytes: peeked };
  yield* walkDataset(ctx, { explicit: ts.explicit, littleEndian: ts.littleEndian }, true);
}

/** Reads group 0002 from its first 8 bytes; returns the first 8 bytes of the data set, read while
 * looking for the end of the group (undefined when the group length said where it ends). */
function* walkMeta(ctx: ObjectContext, first: Uint8Array): Generator<Need, Uint8Array | undefined, Uint8Array> {
  let header = yield* completeHeader(first, META_LE);
  let end = -1;
  for (;;) {
    if (header.length > MAX_META_VALUE) throw broken(`File Meta Information element ${tagText(header.tag)} is ${header.length} bytes long`);
    const value = yield* read(header.length, `value of ${tagText(header.tag)}`);
    if (header.tag === '00020000' && header.length === 4) end = ctx.at() + u32(value, 0, true);
    else ctx.meta.set(header.tag, trimValue(value));
    if (end >= 0 && ctx.at() >= end) return undefined;
    const next = Uint8Array.from(yield* read(8, 'File Meta Information', true));
    if (next[0] !== 0x02 || next[1] !== 0x00) return next;
    header = yield* completeHeader(next, META_LE);
  }
}

function* chooseTransferSyntax(ctx: ObjectContext, metaPeek: Uint8Array | undefined): Generator<Need, TransferSyntax, Uint8Array> {
  const declared = ctx.meta.get('00020010');
  if (ctx.hasPart10 && declared === undefined) throw broken('File Meta Information has no TransferSyntaxUID (0002,0010)');
  const uid = declared ?? ctx.transferSyntaxOption;
  const known = uid === undefined ? undefined : transferSyntaxOf(uid);
  if (uid !== undefined && !known) throw new OutcomeError('transferSyntaxNotSupported', `transfer syntax ${uid} is not supported`);
  if (known && (ctx.hasPart10 || ctx.meta.size > 0)) return known;
  // A bare data set: its first element must look like one (in the declared or the guessed encoding).
  const peek = metaPeek ?? Uint8Array.from(yield* read(8, 'first element'));
  if (!metaPeek) yield { kind: 'unread', bytes: peek };
  return known ? checkStart(peek, known) : guessEncoding(peek);
}

const NOT_DICOM = 'not a DICOM object: no DICM prefix and no data set at the start';

function firstGroup(b: Uint8Array, littleEndian: boolean): number {
  return littleEndian ? (b[0] ?? 0) | ((b[1] ?? 0) << 8) : ((b[0] ?? 0) << 8) | (b[1] ?? 0);
}

/** Data sets start with group 0002 (meta), 0004 (directory) or 0008 (identification), or a group length. */
function plausibleGroup(group: number): boolean {
  return group >= 0x0002 && group <= 0x0008;
}

function checkStart(b: Uint8Array, ts: TransferSyntax): TransferSyntax {
  if (!plausibleGroup(firstGroup(b, ts.littleEndian))) throw broken(NOT_DICOM);
  return ts;
}

function guessEncoding(b: Uint8Array): TransferSyntax {
  const explicit = VALID_VRS.has(String.fromCharCode(b[4] ?? 0, b[5] ?? 0));
  const littleEndian = firstGroup(b, true) <= firstGroup(b, false);
  if (!plausibleGroup(firstGroup(b, littleEndian)) || (!littleEndian && !explicit)) throw broken(NOT_DICOM);
  const uid = !explicit ? IMPLICIT_LE : littleEndian ? EXPLICIT_LE : EXPLICIT_BE;
  const ts = transferSyntaxOf(uid);
  if (!ts) throw new Error(`unreachable: ${uid} missing from the transfer syntax table`);
  return ts;
}
