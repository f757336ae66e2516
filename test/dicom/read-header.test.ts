// The header reader on synthetic objects (test/helpers/dicom-builder.ts): every encoding, pixel data
// layout, bulk data and the identifiers it must find.
import test from 'ava';
import { buildDicom, nativeFrameBytes, nativePixelByte, newUid } from '../helpers/dicom-builder.ts';
import type { Attributes, NativePixels } from '../helpers/dicom-builder.ts';
import { readInChunks } from './read-in-chunks.ts';

function frameBytes(bytes: Buffer, frame: readonly { offset: number; length: number }[]): Buffer {
  return Buffer.concat(frame.map((r) => bytes.subarray(r.offset, r.offset + r.length)));
}

function expectedNative(p: NativePixels, frame: number): Buffer {
  const size = nativeFrameBytes(p);
  return Buffer.from(Array.from({ length: size }, (_, i) => nativePixelByte(size, frame * size + i)));
}

for (const transferSyntax of ['explicitLE', 'implicitLE', 'explicitBE'] as const) {
  test(`native frames: ${transferSyntax}, 3 frames of 16 bits`, (t) => {
    const pixels = { rows: 5, columns: 3, frames: 3, bitsAllocated: 16 };
    const sop = newUid();
    const bytes = buildDicom({ transferSyntax, pixels, attributes: { SOPInstanceUID: sop } });
    const parsed = readInChunks(bytes, 13);
    t.is(parsed.sopInstanceUid, sop);
    t.is(parsed.frames.length, 3);
    parsed.frames.forEach((frame, i) => {
      t.is(frame.length, 1);
      const got = frameBytes(bytes, frame);
      // Big endian OW is stored word-swapped: compare the logical bytes.
      const logical = transferSyntax === 'explicitBE' ? Buffer.from(got).swap16() : got;
      t.true(logical.equals(expectedNative(pixels, i)), `frame ${i}`);
    });
    t.regex(String(parsed.dataset['7FE00010']?.BulkDataURI), /^bulk:7FE00010:\d+:90$/);
  });
}

test('native frames: 1-bit packed frames and 8-bit RGB', (t) => {
  const bits = readInChunks(buildDicom({ pixels: { rows: 4, columns: 4, frames: 2, bitsAllocated: 1 } }), 100);
  t.deepEqual(bits.frames.map((f) => f[0]?.length), [2, 2]);
  const rgb = readInChunks(buildDicom({ pixels: { rows: 2, columns: 2, samplesPerPixel: 3, bitsAllocated: 8 } }), 100);
  t.deepEqual(rgb.frames.map((f) => f[0]?.length), [12]);
});

test('native frames: Pixel Data shorter than the geometry says keeps the frames that fit, with a warning', (t) => {
  const bytes = buildDicom({ pixels: { rows: 2, columns: 2, frames: 2, bitsAllocated: 8 }, attributes: { NumberOfFrames: 3 } });
  const parsed = readInChunks(bytes, 1000);
  t.is(parsed.frames.length, 2);
  t.true(parsed.warnings.some((w) => /too few for 3 frames/.test(w)));
});

const soi = (...rest: number[]) => Uint8Array.from([0xff, 0xd8, ...rest]);
const tail = (...rest: number[]) => Uint8Array.from(rest);

test('encapsulated frames: Basic Offset Table with several fragments per frame', (t) => {
  const frames = [[soi(1, 2, 3), tail(4, 5)], [soi(6)], [soi(7, 8), tail(9), tail(10, 11, 12)]];
  const bytes = buildDicom({ pixels: { encapsulated: frames, basicOffsetTable: true } });
  const parsed = readInChunks(bytes, 5);
  t.is(parsed.transferSyntaxUid, '1.2.840.10008.1.2.4.50');
  t.deepEqual(parsed.frames.map((f) => f.length), [2, 1, 3]);
  parsed.frames.forEach((frame, i) => {
    const expected = Buffer.concat((frames[i] ?? []).map((f) => Buffer.from(f.length % 2 ? [...f, 0] : f)));
    t.true(frameBytes(bytes, frame).equals(expected), `frame ${i}`);
  });
});

test('encapsulated frames: no offset table, one fragment per frame', (t) => {
  const parsed = readInChunks(buildDicom({ pixels: { encapsulated: [[soi(1)], [soi(2)], [soi(3)]] } }), 64);
  t.deepEqual(parsed.frames.map((f) => f.length), [1, 1, 1]);
});

test('encapsulated frames: no offset table, one frame in several fragments', (t) => {
  const parsed = readInChunks(buildDicom({ pixels: { encapsulated: [[soi(1), tail(2), tail(3)]] } }), 64);
  t.deepEqual(parsed.frames.map((f) => f.length), [3]);
});

test('encapsulated frames: no offset table, frames found at JPEG SOI / J2K SOC markers', (t) => {
  const soc = Uint8Array.from([0xff, 0x4f, 0xff, 0x51]);
  const parsed = readInChunks(buildDicom({ pixels: { encapsulated: [[soi(1), tail(2)], [soc, tail(3), tail(4)]] } }), 64);
  t.deepEqual(parsed.frames.map((f) => f.length), [2, 3]);
});

test('encapsulated frames: fragments that cannot be told apart give no frames and a warning', (t) => {
  const parsed = readInChunks(buildDicom({ pixels: { encapsulated: [[tail(1, 1), tail(2, 2), tail(3, 3)]], numberOfFrames: 2 } }), 64);
  t.deepEqual(parsed.frames, []);
  t.true(parsed.warnings.some((w) => /cannot tell 2 frames apart/.test(w)));
});

test('bare data sets: the encoding is guessed (implicit LE, explicit LE, explicit BE) or given', (t) => {
  for (const [transferSyntax, uid] of [['implicitLE', '1.2.840.10008.1.2'], ['explicitLE', '1.2.840.10008.1.2.1'], ['explicitBE', '1.2.840.10008.1.2.2']] as const) {
    const sop = newUid();
    const bytes = buildDicom({ part10: false, transferSyntax, attributes: { SOPInstanceUID: sop, PatientID: 'X1' }, pixels: { rows: 2, columns: 2, bitsAllocated: 8 } });
    const parsed = readInChunks(bytes, 3);
    t.is(parsed.transferSyntaxUid, uid);
    t.false(parsed.hasPart10Header);
    t.is(parsed.sopInstanceUid, sop);
    t.is(parsed.frames.length, 1);
    t.is(readInChunks(bytes, 1000, { transferSyntaxUid: uid }).sopInstanceUid, sop);
  }
});

test('bare data sets: a tiny one (shorter than a preamble) is still read', (t) => {
  const bytes = buildDicom({ part10: false, transferSyntax: 'implicitLE', attributes: { SOPClassUID: '1.2', SOPInstanceUID: '1.3', StudyInstanceUID: '1.4', SeriesInstanceUID: '1.5', Modality: null } });
  t.true(bytes.length < 132);
  t.is(readInChunks(bytes, 1).sopInstanceUid, '1.3');
});

test('sequences: undefined lengths, nested, in explicit and implicit VR', (t) => {
  for (const transferSyntax of ['explicitLE', 'implicitLE'] as const) {
    const attributes: Attributes = {
      ReferencedSeriesSequence: [
        { SeriesInstanceUID: '1.2.3', ReferencedInstanceSequence: [{ ReferencedSOPInstanceUID: '1.2.3.4' }, { ReferencedSOPInstanceUID: '1.2.3.5' }] },
        {},
      ],
    };
    for (const undefinedLengthSequences of [true, false]) {
      const parsed = readInChunks(buildDicom({ transferSyntax, undefinedLengthSequences, attributes, pixels: { rows: 1, columns: 2, bitsAllocated: 8 } }), 5);
      const items = parsed.dataset['00081115']?.Value as Record<string, { Value?: unknown[] }>[] | undefined;
      t.is(items?.length, 2);
      t.deepEqual(items?.[0]?.['0020000E']?.Value, ['1.2.3']);
      const inner = items?.[0]?.['0008114A']?.Value as Record<string, { Value?: unknown[] }>[] | undefined;
      t.deepEqual(inner?.map((i) => i['00081155']?.Value?.[0]), ['1.2.3.4', '1.2.3.5']);
      t.deepEqual(items?.[1], {});
      t.is(parsed.frames.length, 1);
    }
  }
});

test('bulk data: large binary values anywhere become placeholders with ranges; small ones are inline', (t) => {
  const big = Uint8Array.from({ length: 3000 }, (_, i) => i & 0xff);
  const nested = Uint8Array.from({ length: 2000 }, (_, i) => (i * 3) & 0xff);
  const bytes = buildDicom({
    attributes: {
      '00091010': { vr: 'LO', value: 'YY PRIVATE' },
      '00091011': { vr: 'OB', value: big },
      '00091012': { vr: 'OB', value: Uint8Array.from([1, 2, 3, 4]) },
      ReferencedSeriesSequence: [{ '00091010': { vr: 'LO', value: 'YY PRIVATE' }, '00091011': { vr: 'OB', value: nested } }],
    },
  });
  const parsed = readInChunks(bytes, 100);
  const top = parsed.bulkData['00091011'];
  t.truthy(top);
  t.true(Buffer.from(big).equals(bytes.subarray(top?.offset ?? 0, (top?.offset ?? 0) + (top?.length ?? 0))));
  t.is(parsed.dataset['00091011']?.BulkDataURI, `bulk:00091011:${top?.offset}:3000`);
  t.is(parsed.dataset['00091012']?.InlineBinary, Buffer.from([1, 2, 3, 4]).toString('base64'));
  const inner = parsed.bulkData['00081115.0.00091011'];
  t.truthy(inner);
  t.true(Buffer.from(nested).equals(bytes.subarray(inner?.offset ?? 0, (inner?.offset ?? 0) + (inner?.length ?? 0))));
});

test('DICOM JSON: value types, empty values, no group 0002 or group lengths', (t) => {
  const parsed = readInChunks(buildDicom({
    attributes: {
      PatientName: 'Doe^John=^=', PatientID: '', SliceThickness: '2.50', InstanceNumber: ' 7 ', WindowCenter: ['40', '-400.5'],
      Rows: 4, Columns: 4, FrameIncrementPointer: '00181063', ImageType: ['ORIGINAL', 'PRIMARY'],
      RealWorldValueLastValueMapped: { vr: 'US', value: 65535 }, SamplingFrequency: { vr: 'DS', value: '1e3' },
      '00080000': { vr: 'UL', value: 100 }, StudyDescription: '  leading kept? no  ', ImageComments: '  keeps leading  ',
      ReferencedFrameNumber: { vr: 'IS', value: ['1', '2', '3'] }, SelectorFDValue: { vr: 'FD', value: [1.5, -2.25] },
      SelectorUVValue: { vr: 'UV', value: 2 ** 53 + 10 }, SelectorATValue: { vr: 'AT', value: ['00100010'] },
    },
  }), 1000);
  const d = parsed.dataset;
  t.deepEqual(d['00100010'], { vr: 'PN', Value: [{ Alphabetic: 'Doe^John' }] });
  t.deepEqual(d['00100020'], { vr: 'LO' });
  t.deepEqual(d['00180050']?.Value, [2.5]);
  t.deepEqual(d['00200013']?.Value, [7]);
  t.deepEqual(d['00281050']?.Value, [40, -400.5]);
  t.deepEqual(d['00280010'], { vr: 'US', Value: [4] });
  t.deepEqual(d['00280009'], { vr: 'AT', Value: ['00181063'] });
  t.deepEqual(d['00080008']?.Value, ['ORIGINAL', 'PRIMARY']);
  t.deepEqual(d['00409211']?.Value, [65535]);
  t.deepEqual(d['0018601C'] ?? d['001A0000'], undefined);
  t.deepEqual(d['00720074']?.Value, [1.5, -2.25]);
  t.deepEqual(d['00720083']?.Value, [String(BigInt(2 ** 53 + 10))]);
  t.deepEqual(d['00720060']?.Value, ['00100010']);
  t.deepEqual(d['00081160']?.Value, [1, 2, 3]);
  t.is(d['00081030']?.Value?.[0], 'leading kept? no');
  t.is(d['00204000']?.Value?.[0], '  keeps leading');
  t.is(d['00080000'], undefined);
  t.false(Object.keys(d).some((k) => k.startsWith('0002')));
});

test('encapsulated frames: an Extended Offset Table (7FE0,0001) is used when the Basic one is empty', (t) => {
  // Frame 0's second fragment starts with FFD8 too: a marker split would cut it differently.
  const frames = [[soi(1), soi(2, 3)], [soi(4)], [soi(5), tail(6, 7)]];
  const itemBytes = frames.map((f) => f.reduce((sum, fragment) => sum + 8 + fragment.length + (fragment.length % 2), 0));
  const offsets = [0, itemBytes[0] ?? 0, (itemBytes[0] ?? 0) + (itemBytes[1] ?? 0)];
  const table = new Uint8Array(8 * offsets.length);
  offsets.forEach((o, i) => new DataView(table.buffer).setBigUint64(i * 8, BigInt(o), true));
  const parsed = readInChunks(buildDicom({ pixels: { encapsulated: frames }, attributes: { ExtendedOffsetTable: { vr: 'OV', value: table } } }), 9);
  t.deepEqual(parsed.frames.map((f) => f.length), [2, 1, 2]);
  t.is(parsed.dataset['7FE00001']?.vr, 'OV');
});

test('an icon image with its own encapsulated Pixel Data inside a sequence is kept as header', (t) => {
  const icon = Buffer.concat([
    Buffer.from([0xe0, 0x7f, 0x10, 0x00]), Buffer.from('OB'), Buffer.alloc(2), Buffer.from([0xff, 0xff, 0xff, 0xff]),
    Buffer.from([0xfe, 0xff, 0x00, 0xe0, 0, 0, 0, 0]), Buffer.from([0xfe, 0xff, 0x00, 0xe0, 4, 0, 0, 0, 0xff, 0xd8, 0xff, 0xd9]),
    Buffer.from([0xfe, 0xff, 0xdd, 0xe0, 0, 0, 0, 0]),
  ]);
  const item = Buffer.concat([Buffer.from([0xfe, 0xff, 0x00, 0xe0, 0xff, 0xff, 0xff, 0xff]), icon, Buffer.from([0xfe, 0xff, 0x0d, 0xe0, 0, 0, 0, 0])]);
  const sequence = Buffer.concat([Buffer.from([0x88, 0x00, 0x00, 0x02]), Buffer.from('SQ'), Buffer.alloc(2), Buffer.from([0xff, 0xff, 0xff, 0xff]), item, Buffer.from([0xfe, 0xff, 0xdd, 0xe0, 0, 0, 0, 0])]);
  const base = buildDicom({ pixels: { rows: 2, columns: 2, bitsAllocated: 8 } });
  const at = base.indexOf(Buffer.from([0x28, 0x00, 0x02, 0x00, 0x55, 0x53]));
  const bytes = Buffer.concat([base.subarray(0, at), sequence, base.subarray(at)]);
  const parsed = readInChunks(bytes, 11);
  t.is(parsed.frames.length, 1);
  const iconItem = parsed.dataset['00880200']?.Value?.[0] as Record<string, { vr: string; InlineBinary?: string }> | undefined;
  t.is(iconItem?.['7FE00010']?.vr, 'OB');
  t.truthy(iconItem?.['7FE00010']?.InlineBinary);
});
