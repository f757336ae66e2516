// Chinese text as hospitals send it: GB18030/GBK (with trail bytes that look like delimiters),
// ISO 2022 IR 58 with escape sequences, UTF-8, and no SpecificCharacterSet at all.
import test from 'ava';
import { buildDicom } from '../helpers/dicom-builder.ts';
import { createTextDecoding } from '../../lib/dicom/decode-text.ts';
import { readInChunks } from './read-in-chunks.ts';

const gb = (...parts: (string | number[])[]) => Uint8Array.from(parts.flatMap((p) => (typeof p === 'string' ? [...Buffer.from(p, 'latin1')] : p)));
// GB18030 bytes: 王 CD F5, 小 D0 A1, 东 B6 AB; 癨 B0 5C and 癪 B0 5E carry '\' and '^' as trail bytes.
const WANG = [0xcd, 0xf5];
const XIAO_DONG = [0xd0, 0xa1, 0xb6, 0xab];

test('GB18030: a name whose trail bytes are 0x5C and 0x5E splits only at real delimiters', (t) => {
  const name = gb([0xb0, 0x5c], '^', [0xb0, 0x5e, 0xcd, 0xf5], '=', [0xb0, 0x5c]);
  const other = gb([0xb0, 0x5c], '\\', [0xb0, 0x5e]);
  const parsed = readInChunks(buildDicom({ charset: 'GB18030', attributes: { PatientName: name, OtherPatientIDs: other } }), 7);
  t.deepEqual(parsed.dataset['00100010']?.Value, [{ Alphabetic: '癨^癪王', Ideographic: '癨' }]);
  t.deepEqual(parsed.dataset['00101000']?.Value, ['癨', '癪']);
  t.deepEqual(parsed.decodedWith, ['GB18030']);
});

test('GBK decodes the same Chinese text', (t) => {
  const parsed = readInChunks(buildDicom({ charset: 'GBK', attributes: { PatientName: gb(WANG, '^', XIAO_DONG) } }), 64);
  t.deepEqual(parsed.dataset['00100010']?.Value, [{ Alphabetic: '王^小东' }]);
  t.deepEqual(parsed.specificCharacterSet, ['GBK']);
});

test('ISO 2022 IR 58: GB2312 in G1 through ESC $ ) A, per component group', (t) => {
  const esc = [0x1b, 0x24, 0x29, 0x41];
  const name = gb('Wang^XiaoDong=', esc, WANG, '^', esc, XIAO_DONG, '=');
  const description = gb(esc, [0xbc, 0xec, 0xb2, 0xe9], '\\', 'CT');
  const parsed = readInChunks(buildDicom({ charset: ['', 'ISO 2022 IR 58'], attributes: { PatientName: name, StudyDescription: description } }), 3);
  t.deepEqual(parsed.dataset['00100010']?.Value, [{ Alphabetic: 'Wang^XiaoDong', Ideographic: '王^小东' }]);
  t.deepEqual(parsed.dataset['00081030']?.Value, ['检查', 'CT']);
  t.deepEqual(parsed.decodedWith, ['ISO 2022 IR 6', 'ISO 2022 IR 58']);
});

test('ISO_IR 192: UTF-8 names with all three component groups', (t) => {
  const parsed = readInChunks(buildDicom({ charset: 'ISO_IR 192', attributes: { PatientName: 'Wang^XiaoDong=王^小東=wang^xiaodong' } }), 5);
  t.deepEqual(parsed.dataset['00100010']?.Value, [{ Alphabetic: 'Wang^XiaoDong', Ideographic: '王^小東', Phonetic: 'wang^xiaodong' }]);
});

test('no SpecificCharacterSet: the configured default decodes, with a warning', (t) => {
  const bytes = buildDicom({ attributes: { PatientName: gb(WANG, '^', XIAO_DONG) } });
  const parsed = readInChunks(bytes, 64, { defaultCharacterSet: 'GB18030' });
  t.deepEqual(parsed.dataset['00100010']?.Value, [{ Alphabetic: '王^小东' }]);
  t.deepEqual(parsed.specificCharacterSet, []);
  t.deepEqual(parsed.decodedWith, ['GB18030']);
  t.true(parsed.warnings.some((w) => /no SpecificCharacterSet/.test(w)));
  const ascii = readInChunks(buildDicom({ attributes: { PatientName: 'Doe^J' } }), 64, { defaultCharacterSet: 'GB18030' });
  t.false(ascii.warnings.some((w) => /SpecificCharacterSet/.test(w)), 'no warning when all text is ASCII');
});

test('only SH, LO, ST, LT, UT, PN and UC use the character set', (t) => {
  const warnings: string[] = [];
  const decoding = createTextDecoding(['GB18030'], 'ISO_IR 6', warnings);
  const bytes = Uint8Array.from(WANG);
  t.is(decoding.decode(bytes, 'LO'), '王');
  t.is(decoding.decode(bytes, 'CS'), Buffer.from(bytes).toString('latin1'));
  t.is(decoding.decode(bytes, 'UC'), '王');
});

test('odd SpecificCharacterSet values: misspelt terms, unknown terms, extensions on UTF-8', (t) => {
  const warnings: string[] = [];
  t.deepEqual(createTextDecoding(['ISO_IR100'], 'ISO_IR 6', warnings).decodedWith, ['ISO_IR 100']);
  t.deepEqual(createTextDecoding(['GB2312'], 'ISO_IR 6', warnings).decode(Uint8Array.from([0x1b, 0x24, 0x29, 0x41, ...WANG]), 'PN'), '王');
  createTextDecoding(['ISO_IR 999'], 'ISO_IR 6', warnings);
  t.true(warnings.some((w) => /unknown SpecificCharacterSet term "ISO_IR 999"/.test(w)));
  const utf8 = createTextDecoding(['ISO_IR 192', 'ISO 2022 IR 58'], 'ISO_IR 6', warnings);
  t.is(utf8.decode(Buffer.from('王'), 'PN'), '王');
  t.true(warnings.some((w) => /cannot have code extensions/.test(w)));
});
