// Attribute matching (PS3.4 C.2.2.2) on DICOM JSON, and the name tokens the index plans with.
import test from 'ava';
import type { DicomJsonDataset } from '../../lib/dicom/dicom-json.ts';
import { matchElement } from '../../lib/dicom-query/match-dataset.ts';
import type { Matcher } from '../../lib/dicom-query/query.ts';
import { nameTokens, tokenForPattern } from '../../lib/archive/name-tokens.ts';

const ds: DicomJsonDataset = {
  '00100010': { vr: 'PN', Value: [{ Alphabetic: 'Wang^XiaoDong', Ideographic: '王^小东', Phonetic: 'わん^しゃおどん' }] },
  '00080020': { vr: 'DA', Value: ['20240105'] },
  '00080030': { vr: 'TM', Value: ['083015.25'] },
  '0008002A': { vr: 'DT', Value: ['20240105083015.250000+0800'] },
  '00080061': { vr: 'CS', Value: ['CT', 'MR'] },
  '0020000D': { vr: 'UI', Value: ['1.2.3'] },
  '00200011': { vr: 'IS', Value: [7] },
  '00081030': { vr: 'LO' },
};

const m = (matcher: Matcher, fuzzy = false) => matchElement(ds[matcher.tag], matcher, { fuzzy });

test('single value: exact, any value of a multi-valued element, numbers as text, absent never matches', (t) => {
  t.true(m({ kind: 'Single', tag: '00080061', value: 'MR' }));
  t.false(m({ kind: 'Single', tag: '00080061', value: 'mr' }));
  t.true(m({ kind: 'Single', tag: '00200011', value: '7' }));
  t.false(m({ kind: 'Single', tag: '00081030', value: 'x' }));
  t.true(m({ kind: 'Single', tag: '00081030', value: '' }), 'an empty value is universal');
});

test('person names: each group, exact unless fuzzy; fuzzy ignores case and accents and matches name parts', (t) => {
  t.true(m({ kind: 'Single', tag: '00100010', value: '王^小东' }));
  t.true(m({ kind: 'Single', tag: '00100010', value: 'Wang^XiaoDong' }));
  t.false(m({ kind: 'Single', tag: '00100010', value: 'wang^xiaodong' }));
  t.true(m({ kind: 'Single', tag: '00100010', value: 'wang^xiaodong' }, true));
  t.true(m({ kind: 'Single', tag: '00100010', value: 'xiao' }, true));
  t.false(m({ kind: 'Single', tag: '00100010', value: 'dong' }, true), 'a query word matches the start of a name word');
  t.true(m({ kind: 'Wildcard', tag: '00100010', pattern: '*王*' }));
  t.true(m({ kind: 'Wildcard', tag: '00100010', pattern: '王^小?' }));
  t.false(m({ kind: 'Wildcard', tag: '00100010', pattern: '李*' }));
  t.true(m({ kind: 'Wildcard', tag: '00100010', pattern: 'WANG*' }, true));
  t.true(m({ kind: 'Wildcard', tag: '00100010', pattern: 'わん*' }));
  const accented: DicomJsonDataset = { '00100010': { vr: 'PN', Value: [{ Alphabetic: 'Müller^José' }] } };
  t.true(matchElement(accented['00100010'], { kind: 'Single', tag: '00100010', value: 'MULLER jose' }, { fuzzy: true }));
  t.false(matchElement(accented['00100010'], { kind: 'Single', tag: '00100010', value: 'Muller^Jose' }, { fuzzy: false }));
});

test('wildcards escape regular expression characters', (t) => {
  const weird: DicomJsonDataset = { '00081030': { vr: 'LO', Value: ['CT (head)+[contrast]'] } };
  t.true(matchElement(weird['00081030'], { kind: 'Wildcard', tag: '00081030', pattern: 'CT (head)+*' }, { fuzzy: false }));
  t.false(matchElement(weird['00081030'], { kind: 'Wildcard', tag: '00081030', pattern: 'CT head*' }, { fuzzy: false }));
});

test('ranges on DA, TM and DT with open ends and partial precision', (t) => {
  t.true(m({ kind: 'Range', tag: '00080020', from: '20240101', to: '20240131' }));
  t.true(m({ kind: 'Range', tag: '00080020', from: '20240105' }));
  t.true(m({ kind: 'Range', tag: '00080020', to: '20240105' }));
  t.false(m({ kind: 'Range', tag: '00080020', to: '20240104' }));
  t.true(m({ kind: 'Range', tag: '00080030', from: '0830', to: '0830' }), 'a bound with minutes covers the whole minute');
  t.false(m({ kind: 'Range', tag: '00080030', from: '0831' }));
  t.true(m({ kind: 'Range', tag: '0008002A', from: '202401050830', to: '2024010508' }));
  t.false(m({ kind: 'Range', tag: '0008002A', from: '20240106' }));
  t.false(m({ kind: 'Range', tag: '00080020', from: 'garbage' }));
});

test('UID lists and universal matching', (t) => {
  t.true(m({ kind: 'UidList', tag: '0020000D', uids: ['9.9', '1.2.3'] }));
  t.false(m({ kind: 'UidList', tag: '0020000D', uids: ['9.9'] }));
  t.true(m({ kind: 'Universal', tag: '00081030' }));
});

test('name tokens: Han characters and pairs, Latin trigrams; patterns pick the most selective token', (t) => {
  const tokens = nameTokens(['Wang^XiaoDong', '王^小东']);
  for (const token of ['王', '小', '东', '小东', 'wan', 'ang', 'xia', 'don']) t.true(tokens.includes(token), token);
  t.false(tokens.includes('王小'), 'no pair across name components');
  t.is(tokenForPattern('*王*'), '王');
  t.is(tokenForPattern('*小东*'), '小东');
  t.is(tokenForPattern('XIAO*'), 'xia');
  t.is(tokenForPattern('Jo*'), undefined);
  t.is(tokenForPattern('*'), undefined);
});
