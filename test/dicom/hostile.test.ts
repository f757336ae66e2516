// Broken and hostile input: each is rejected with the outcome and a reason that names the problem,
// as early as the bytes prove it (push(), not finish(), where possible). Plus the identifiers checks.
import test from 'ava';
import type { ExecutionContext } from 'ava';
import { randomBytes } from 'node:crypto';
import { buildDicom, dicomChunks, dicomSize, newUid } from '../helpers/dicom-builder.ts';
import { createHeaderReader } from '../../lib/dicom/read-header.ts';
import { OutcomeError } from '../../lib/outcome/outcome.ts';
import type { OutcomeCode } from '../../lib/outcome/outcome.ts';
import { DEFAULT_OPTIONS, readInChunks } from './read-in-chunks.ts';

function rejects(t: ExecutionContext, work: () => unknown, outcome: OutcomeCode, reason: RegExp): void {
  const error = t.throws(work, { instanceOf: OutcomeError });
  t.is(error.outcome, outcome);
  t.regex(error.message, reason);
}

/** Pushes bytes in chunks and says whether push() (rather than finish()) threw. */
function pushUntilThrow(bytes: Uint8Array, chunk: number, maxHeaderBytes = 1 << 20): { thrownByPush: boolean; error: unknown } {
  const reader = createHeaderReader({ ...DEFAULT_OPTIONS, maxHeaderBytes });
  try {
    for (let at = 0; at < bytes.length; at += chunk) reader.push(bytes.subarray(at, at + chunk));
  } catch (error) {
    return { thrownByPush: true, error };
  }
  try {
    reader.finish();
  } catch (error) {
    return { thrownByPush: false, error };
  }
  return { thrownByPush: false, error: undefined };
}

/** Offset of the first occurrence of a tag + explicit VR in the bytes (little endian). */
function findElement(bytes: Buffer, tag: string, vr: string): number {
  const needle = Buffer.from([parseInt(tag.slice(2, 4), 16), parseInt(tag.slice(0, 2), 16), parseInt(tag.slice(6, 8), 16), parseInt(tag.slice(4, 6), 16), ...Buffer.from(vr)]);
  return bytes.indexOf(needle);
}

test('an absurd length (0xFFFFFFF0) on a non-sequence element is refused by push(), naming the tag', (t) => {
  const bytes = buildDicom({ attributes: { ImageComments: { vr: 'UT', value: 'x'.repeat(10) } }, pixels: { rows: 64, columns: 64, bitsAllocated: 16 } });
  const at = findElement(bytes, '00204000', 'UT');
  bytes.writeUInt32LE(0xfffffff0, at + 8);
  const { thrownByPush, error } = pushUntilThrow(bytes, 256);
  t.true(thrownByPush);
  t.true(error instanceof OutcomeError && error.outcome === 'cannotUnderstand');
  t.regex((error as Error).message, /length 4294967280 of element \(0020,4000\) at offset \d+ exceeds maxHeaderBytes/);
});

test('an absurd length in implicit VR is refused too', (t) => {
  const bytes = buildDicom({ transferSyntax: 'implicitLE', attributes: { PatientID: 'P' } });
  const at = bytes.indexOf(Buffer.from([0x10, 0x00, 0x20, 0x00]));
  bytes.writeUInt32LE(0xfffffff0, at + 4);
  rejects(t, () => readInChunks(bytes, 100), 'cannotUnderstand', /\(0010,0020\)/);
});

test('an undefined length on an element that cannot have one is refused', (t) => {
  const bytes = buildDicom({ attributes: { ImageComments: { vr: 'UT', value: 'abcd' } } });
  bytes.writeUInt32LE(0xffffffff, findElement(bytes, '00204000', 'UT') + 8);
  rejects(t, () => readInChunks(bytes, 100), 'cannotUnderstand', /undefined length not allowed for UT element \(0020,4000\)/);
});

test('garbage bytes are not DICOM, refused by push()', (t) => {
  for (const garbage of [randomBytes(4096), Buffer.from('%PDF-1.4 '.repeat(100)), Buffer.alloc(2048)]) {
    const { thrownByPush, error } = pushUntilThrow(garbage, 512);
    t.true(thrownByPush);
    t.regex((error as Error).message, /not a DICOM object|invalid VR|exceeds|unexpected|out of ascending order/);
    t.is((error as OutcomeError).outcome, 'cannotUnderstand');
  }
});

test('DICM followed by garbage is refused', (t) => {
  const bytes = Buffer.concat([Buffer.alloc(128), Buffer.from('DICM'), randomBytes(256)]);
  rejects(t, () => readInChunks(bytes, 64), 'cannotUnderstand', /File Meta Information|invalid VR|exceeds/);
});

test('an object cut mid-element is truncated, named at finish()', (t) => {
  const bytes = buildDicom({ attributes: { StudyDescription: 'a long enough description' }, pixels: { rows: 8, columns: 8, bitsAllocated: 16 } });
  for (const cut of [140, findElement(bytes, '00081030', 'LO') + 12, bytes.length - 10]) {
    rejects(t, () => readInChunks(bytes.subarray(0, cut), 50), 'cannotUnderstand', /truncated object: it ends at offset \d+ inside/);
  }
});

test('a header larger than maxHeaderBytes is refused by push()', (t) => {
  const bytes = buildDicom({ attributes: { ImageComments: { vr: 'UT', value: 'y'.repeat(20000) } } });
  const { thrownByPush, error } = pushUntilThrow(bytes, 1024, 8192);
  t.true(thrownByPush);
  t.regex((error as Error).message, /exceeds maxHeaderBytes/);
  const many = buildDicom({ attributes: Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`0011${(0x1000 + i).toString(16)}`, { vr: 'LO', value: 'z'.repeat(60) }])) });
  t.regex((pushUntilThrow(many, 1024, 8192).error as Error).message, /exceeds maxHeaderBytes/);
});

test('an absurd Basic Offset Table length is refused', (t) => {
  const bytes = buildDicom({ pixels: { encapsulated: [[Uint8Array.from([0xff, 0xd8, 1, 2])]] } });
  const at = bytes.indexOf(Buffer.from([0xfe, 0xff, 0x00, 0xe0]), bytes.indexOf(Buffer.from([0xe0, 0x7f, 0x10, 0x00])));
  bytes.writeUInt32LE(0x7ffffff0, at + 4);
  rejects(t, () => readInChunks(bytes, 64), 'cannotUnderstand', /Basic Offset Table length/);
});

test('Pixel Data longer than the object is a truncated object', (t) => {
  const bytes = buildDicom({ pixels: { rows: 4, columns: 4, bitsAllocated: 16 } });
  bytes.writeUInt32LE(0xfffffff0, findElement(bytes, '7FE00010', 'OW') + 8);
  rejects(t, () => readInChunks(bytes, 64), 'cannotUnderstand', /truncated object: .* inside Pixel Data/);
});

test('identifiers: each missing or malformed UID is named', (t) => {
  for (const keyword of ['SOPClassUID', 'SOPInstanceUID', 'StudyInstanceUID', 'SeriesInstanceUID']) {
    rejects(t, () => readInChunks(buildDicom({ attributes: { [keyword]: null }, meta: { MediaStorageSOPClassUID: null, MediaStorageSOPInstanceUID: null } }), 64),
      'cannotUnderstand', new RegExp(`${keyword} \\(\\w{4},\\w{4}\\) is missing`));
    rejects(t, () => readInChunks(buildDicom({ attributes: { [keyword]: '1.02.x' }, meta: { MediaStorageSOPClassUID: null, MediaStorageSOPInstanceUID: null } }), 64),
      'cannotUnderstand', new RegExp(`${keyword} \\(\\w{4},\\w{4}\\) is not a valid UID`));
  }
});

test('identifiers: Media Storage SOP Class differing from SOP Class is a SOP class mismatch', (t) => {
  rejects(t, () => readInChunks(buildDicom({ meta: { MediaStorageSOPClassUID: '1.2.840.10008.5.1.4.1.1.2' } }), 64), 'sopClassMismatch', /MediaStorageSOPClassUID/);
});

test('identifiers: Media Storage SOP Instance differing from SOP Instance cannot be understood', (t) => {
  rejects(t, () => readInChunks(buildDicom({ meta: { MediaStorageSOPInstanceUID: newUid() } }), 64), 'cannotUnderstand', /MediaStorageSOPInstanceUID/);
});

test('an unknown transfer syntax is refused by push() as not supported', (t) => {
  const { thrownByPush, error } = pushUntilThrow(buildDicom({ transferSyntax: '1.2.3.4.5.6' }), 200);
  t.true(thrownByPush);
  t.is((error as OutcomeError).outcome, 'transferSyntaxNotSupported');
  rejects(t, () => readInChunks(buildDicom({ part10: false }), 64, { transferSyntaxUid: '1.9.9' }), 'transferSyntaxNotSupported', /1\.9\.9/);
});

test('memory: a 200 MB native object fed in 1 MiB chunks leaves the reader holding only its header', (t) => {
  // 5000 x 5000 16-bit pixels x 4 frames = 200 MB of Pixel Data, generated chunk by chunk.
  const uids = { SOPInstanceUID: newUid(), StudyInstanceUID: newUid(), SeriesInstanceUID: newUid() };
  const options = { attributes: uids, pixels: { rows: 5000, columns: 5000, frames: 4, bitsAllocated: 16 } };
  const reader = createHeaderReader({ ...DEFAULT_OPTIONS, maxHeaderBytes: 16 * 1024 * 1024 });
  let pushed = 0;
  let maxRetained = 0;
  for (const chunk of dicomChunks(options, 1024 * 1024)) {
    reader.push(chunk);
    pushed += chunk.length;
    maxRetained = Math.max(maxRetained, reader.retainedBytes());
  }
  t.is(pushed, dicomSize(options));
  t.true(pushed > 200_000_000);
  t.true(maxRetained <= 128 * 1024, `retained ${maxRetained} bytes`);
  const parsed = reader.finish();
  t.is(parsed.frames.length, 4);
  t.is(parsed.frames[3]?.[0]?.length, 50_000_000);
});

test('a delimitation item with a length is refused; an odd value length is only a warning', (t) => {
  const bytes = buildDicom({ undefinedLengthSequences: true, attributes: { ReferencedSeriesSequence: [{ SeriesInstanceUID: '1.2' }] } });
  const delimiter = bytes.indexOf(Buffer.from([0xfe, 0xff, 0xdd, 0xe0]));
  bytes.writeUInt32LE(4, delimiter + 4);
  rejects(t, () => readInChunks(bytes, 64), 'cannotUnderstand', /delimitation item \(FFFE,E0DD\) at offset \d+ has length 4/);
  const odd = buildDicom({ attributes: { '00091010': { vr: 'LO', value: 'YY' }, '00091011': { vr: 'UN', value: Uint8Array.from([1, 2, 3, 4]) } } });
  const at = findElement(odd, '00091011', 'UN');
  odd.writeUInt32LE(3, at + 8);
  // Drop the value's 4th byte so that the next element follows the 3 bytes the length announces.
  const parsed = readInChunks(Buffer.concat([odd.subarray(0, at + 15), odd.subarray(at + 16)]), 64);
  t.true(parsed.warnings.some((w) => /odd length 3 of element \(0009,1011\)/.test(w)));
});
