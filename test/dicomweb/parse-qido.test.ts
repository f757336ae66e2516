import test from 'ava';
import { parseQido, type QidoParse } from '../../lib/dicom-query/parse-qido.ts';

const OPTIONS = { defaultLimit: 100, maxLimit: 1000 };
const studies = (q: string): QidoParse => parseQido({ level: 'study' }, q, OPTIONS);

function ok(t: { fail(m: string): void }, r: QidoParse) {
  if (!r.ok) { t.fail(`${r.parameter}: ${r.problem}`); throw new Error('not ok'); }
  return r;
}

test('keywords and tags, each matching kind from the value and the VR', (t) => {
  const r = ok(t, studies('PatientName=*%E7%8E%8B*&00100020=P%3F1&StudyDate=20240101-20241231&StudyTime=-1200&StudyInstanceUID=1.2.3,1.2.4&AccessionNumber=&Modality=*&ModalitiesInStudy=CT'));
  t.deepEqual(r.query.matchers, [
    { kind: 'Wildcard', tag: '00100010', pattern: '*王*' },
    { kind: 'Wildcard', tag: '00100020', pattern: 'P?1' },
    { kind: 'Range', tag: '00080020', from: '20240101', to: '20241231' },
    { kind: 'Range', tag: '00080030', to: '1200' },
    { kind: 'UidList', tag: '0020000D', uids: ['1.2.3', '1.2.4'] },
    { kind: 'Universal', tag: '00080050' },
    { kind: 'Universal', tag: '00080060' },
    { kind: 'Single', tag: '00080061', value: 'CT' },
  ]);
  t.like(r.query, { level: 'study', root: 'study', limit: 100, offset: 0, fuzzyMatching: false });
  t.true(Object.isFrozen(r.query));
});

test('the resource path adds its UIDs; the same UID in the query string is not doubled', (t) => {
  const r = ok(t, parseQido({ level: 'instance', study: '1.2', series: '1.2.3' }, 'StudyInstanceUID=1.2&SOPInstanceUID=1.2.3.4', OPTIONS));
  t.deepEqual(r.query.matchers, [
    { kind: 'Single', tag: '0020000D', value: '1.2' },
    { kind: 'Single', tag: '0020000E', value: '1.2.3' },
    { kind: 'Single', tag: '00080018', value: '1.2.3.4' },
  ]);
  const contradiction = ok(t, parseQido({ level: 'series', study: '1.2' }, 'StudyInstanceUID=9.9', OPTIONS));
  t.is(contradiction.query.matchers.length, 2);
});

test('includefield: repeated, comma lists, tags, all; fuzzymatching, limit and offset', (t) => {
  const r = ok(t, studies('includefield=00081030,StudyDescription&includefield=PatientAge&fuzzymatching=true&limit=5&offset=10'));
  t.deepEqual(r.query.includeFields, ['00081030', '00101010']);
  t.like(r.query, { fuzzyMatching: true, limit: 5, offset: 10 });
  t.is(ok(t, studies('includefield=all&includefield=PatientAge')).query.includeFields, 'all');
  const capped = ok(t, studies('limit=50000'));
  t.is(capped.query.limit, 1000);
  t.is(capped.warnings.length, 1);
});

test('DT ranges with time zone offsets keep their sign', (t) => {
  const r = ok(t, studies('AcquisitionDateTime=20240101120000%2B0800-20240102'));
  t.deepEqual(r.query.matchers, [{ kind: 'Range', tag: '0008002A', from: '20240101120000+0800', to: '20240102' }]);
});

test('every bad parameter names itself and its problem', (t) => {
  const cases: [string, string, string][] = [
    ['NoSuchKeyword=1', 'NoSuchKeyword', 'unknown'],
    ['PatientName=a&00100010=b', '00100010', 'repeated'],
    ['StudyInstanceUID=1.2.abc', 'StudyInstanceUID', 'badUid'],
    ['StudyInstanceUID=1.2.*', 'StudyInstanceUID', 'wildcardNotAllowed'],
    ['StudyDate=2024-01-01', 'StudyDate', 'badRange'],
    ['StudyDate=20241231-20240101', 'StudyDate', 'badRange'],
    ['StudyDate=-', 'StudyDate', 'badRange'],
    ['StudyDate=2024', 'StudyDate', 'badDate'],
    ['limit=-1', 'limit', 'badNumber'],
    ['offset=x', 'offset', 'badNumber'],
    ['limit=1&limit=2', 'limit', 'repeated'],
    ['fuzzymatching=yes', 'fuzzymatching', 'badBoolean'],
    ['includefield=NotAThing', 'includefield', 'badIncludeField'],
    ['ReferencedStudySequence.ReferencedSOPInstanceUID=1.2', 'ReferencedStudySequence.ReferencedSOPInstanceUID', 'nested'],
    ['NumberOfStudyRelatedInstances=1*', 'NumberOfStudyRelatedInstances', 'wildcardNotAllowed'],
    [`PatientID=${'x'.repeat(2000)}`, 'PatientID', 'tooLong'],
  ];
  for (const [q, parameter, problem] of cases) t.deepEqual(studies(q), { ok: false, parameter, problem }, q);
});
