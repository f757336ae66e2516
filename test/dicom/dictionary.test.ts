import test from 'ava';
import { entryOf, isUid, keywordOf, tagOf, vrOf } from '../../lib/dicom/dictionary.ts';

test('keywords and tags round-trip over the PS3.6 dictionary', (t) => {
  t.is(tagOf('PatientName'), '00100010');
  t.is(tagOf('SOPInstanceUID'), '00080018');
  t.is(tagOf('PixelData'), '7FE00010');
  t.is(tagOf('TransferSyntaxUID'), '00020010');
  t.is(tagOf('NoSuchKeyword'), undefined);
  t.is(keywordOf('00100010'), 'PatientName');
  t.is(keywordOf('0020000d'), 'StudyInstanceUID');
  t.is(keywordOf('00091001'), undefined);
});

test('retired keywords are found without the RETIRED_ prefix', (t) => {
  const tag = tagOf('CommandLengthToEnd');
  t.is(tag, '00000001');
  t.is(tagOf('RETIRED_CommandLengthToEnd'), tag);
  t.true(entryOf('00000001')?.retired);
});

test('implicit VR: dictionary VRs, ambiguous ones resolved, repeating groups, private and group lengths', (t) => {
  t.is(vrOf('00100010'), 'PN');
  t.is(vrOf('00081115'), 'SQ');
  t.is(vrOf('7FE00010'), 'OW');
  t.is(vrOf('00280106'), 'US');
  t.is(vrOf('60003000'), 'OW');
  t.is(vrOf('60023000'), 'OW');
  t.is(vrOf('60020010'), 'US');
  t.is(vrOf('00080000'), 'UL');
  t.is(vrOf('00090010'), 'LO');
  t.is(vrOf('00091001'), 'UN');
  t.is(vrOf('00991099'), 'UN');
  t.is(vrOf('00990099'), 'LO');
});

test('UID syntax', (t) => {
  t.true(isUid('1.2.840.10008.1.2'));
  t.true(isUid('2.25.0'));
  t.false(isUid(''));
  t.false(isUid('1.02.3'));
  t.false(isUid('1..2'));
  t.false(isUid('1.2.'));
  t.false(isUid('1.2.3 '));
  t.false(isUid(`1.${'2'.repeat(63)}`));
});
