// The character set sample files (David Clunie's, shipped by pydicom) decode to the names pydicom's own
// tests expect (pydicom/tests/test_charset.py, FILE_PATIENT_NAMES).
import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { personNameOf } from '../../lib/dicom/to-dicom-json.ts';
import { readInChunks } from './read-in-chunks.ts';

const DIR = '/usr/lib/python3/dist-packages/pydicom/data/charset_files';

const EXPECTED: readonly (readonly [string, string])[] = [
  ['chrArab', 'قباني^لنزار'],
  ['chrFren', 'Buc^Jérôme'],
  ['chrFrenMulti', 'Buc^Jérôme'],
  ['chrGerm', 'Äneas^Rüdiger'],
  ['chrGreek', 'Διονυσιος'],
  ['chrH31', 'Yamada^Tarou=山田^太郎=やまだ^たろう'],
  ['chrH32', 'ﾔﾏﾀﾞ^ﾀﾛｳ=山田^太郎=やまだ^たろう'],
  ['chrHbrw', 'שרון^דבורה'],
  ['chrI2', 'Hong^Gildong=洪^吉洞=홍^길동'],
  ['chrJapMulti', 'やまだ^たろう'],
  ['chrJapMultiExplicitIR6', 'やまだ^たろう'],
  ['chrKoreanMulti', '김희중'],
  ['chrRuss', 'Люкceмбypг'],
  ['chrX1', 'Wang^XiaoDong=王^小東'],
  ['chrX2', 'Wang^XiaoDong=王^小东'],
];

function read(name: string) {
  // Some of these files are edited copies whose meta names another instance: read without validation.
  return readInChunks(readFileSync(join(DIR, `${name}.dcm`)), 4096, {}, false);
}

for (const [name, expected] of EXPECTED) {
  test(`charset: ${name} PatientName`, (t) => {
    const parsed = read(name);
    t.deepEqual(parsed.dataset['00100010']?.Value?.[0], personNameOf(expected));
    t.true(parsed.specificCharacterSet.length > 0);
    t.false(parsed.warnings.some((w) => /escape|unknown SpecificCharacterSet/.test(w)), parsed.warnings.join('; '));
  });
}

test('charset: GB18030 and UTF-8 files report the character set they were decoded with', (t) => {
  t.deepEqual(read('chrX2').decodedWith, ['GB18030']);
  t.deepEqual(read('chrX1').decodedWith, ['ISO_IR 192']);
  t.deepEqual(read('chrH31').decodedWith, ['ISO 2022 IR 6', 'ISO 2022 IR 87']);
  t.deepEqual(read('chrH31').specificCharacterSet, ['', 'ISO 2022 IR 87']);
});

test('charset: a multi-valued LO splits into values', (t) => {
  const parsed = read('chrFrenMulti');
  t.deepEqual(parsed.dataset['00101000']?.Value, ['eggs', 'spam']);
  t.deepEqual(parsed.dataset['00100010']?.Value, [{ Alphabetic: 'Buc^Jérôme' }]);
});

test('charset: a sequence item with its own SpecificCharacterSet is decoded with it (chrSQEncoding)', (t) => {
  for (const name of ['chrSQEncoding', 'chrSQEncoding1']) {
    const parsed = read(name);
    const item = parsed.dataset['00321064']?.Value?.[0];
    t.truthy(item, name);
    const pn = typeof item === 'object' && !('Alphabetic' in item) ? (item as Record<string, { Value?: unknown[] }>)['00100010']?.Value?.[0] : undefined;
    t.deepEqual(pn, personNameOf('ﾔﾏﾀﾞ^ﾀﾛｳ=山田^太郎=やまだ^たろう'), name);
  }
});
