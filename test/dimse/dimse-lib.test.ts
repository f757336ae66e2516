// The framework-free parts of DIMSE: AE policy, statuses from the outcome table, the File Meta
// Information we build and read back, transfer syntax choice, and C-FIND identifiers as queries.
import test from 'ava';
import { readFileSync } from 'node:fs';
import { decideAssociation, parseAllowedAes } from '../../lib/dimse/ae-policy.ts';
import { statusClass, storeStatus } from '../../lib/dimse/dimse-status.ts';
import { buildFileMeta, dataSetOffset, fileMetaTransferSyntax, fileMetaValue } from '../../lib/dimse/file-meta.ts';
import { STORAGE_SOP_CLASSES, STORAGE_TRANSFER_SYNTAXES, chooseStorageSyntax } from '../../lib/dimse/storage-sop-classes.ts';
import { ROOT } from '../helpers/processes.ts';
import { join } from 'node:path';
import { parseCFind } from '../../lib/dicom-query/parse-cfind.ts';
import { OutcomeError } from '../../lib/outcome/outcome.ts';

test('the embedded default accepts any calling AE from loopback only; a list names AEs and addresses', (t) => {
  const open = { ownAeTitle: 'YUNYING' };
  t.true(decideAssociation(open, 'YUNYING ', 'ANY', '::ffff:127.0.0.1').accept);
  t.true(decideAssociation(open, 'YUNYING', 'ANY', '::1').accept);
  t.deepEqual(decideAssociation(open, 'YUNYING', 'ANY', '10.0.0.5'), { accept: false, reason: 'calling-ae-not-recognized' });
  t.deepEqual(decideAssociation(open, 'OTHER', 'ANY', '127.0.0.1'), { accept: false, reason: 'called-ae-not-recognized' });
  const listed = { ownAeTitle: 'YUNYING', allowed: parseAllowedAes(['CT01', 'MR01@10.0.0.7']) };
  t.true(decideAssociation(listed, 'YUNYING', 'CT01', '10.9.9.9').accept);
  t.true(decideAssociation(listed, 'YUNYING', 'MR01', '::ffff:10.0.0.7').accept);
  t.false(decideAssociation(listed, 'YUNYING', 'MR01', '10.0.0.8').accept);
  t.false(decideAssociation(listed, 'YUNYING', 'ANY', '127.0.0.1').accept);
  t.throws(() => parseAllowedAes(['CT01@pacs.example.org']), { message: /AET@ip-address/ });
  t.throws(() => parseAllowedAes(['A\\B']));
});

test('C-STORE statuses come from the outcome table', (t) => {
  const ids = { sopClassUid: '1', sopInstanceUid: '2', studyInstanceUid: '3', seriesInstanceUid: '4' };
  t.deepEqual(storeStatus({ status: 'stored', sha256: 'x', size: 1, warnings: [], ...ids }), { status: 0 });
  t.deepEqual(storeStatus({ status: 'duplicate', sha256: 'x', size: 1, warnings: [], ...ids }), { status: 0 });
  t.is(storeStatus({ status: 'rejected', outcome: 'cannotUnderstand', reason: 'truncated', warnings: [] }).status, 0xc000);
  t.is(storeStatus({ status: 'rejected', outcome: 'outOfResources', reason: 'full', warnings: [] }).status, 0xa700);
  t.is(storeStatus({ status: 'rejected', outcome: 'sopClassMismatch', reason: 'x'.repeat(100), warnings: [] }).comment?.length, 64);
  t.is(storeStatus({ status: 'stored', sha256: 'x', size: 1, warnings: ['coerced'], warningOutcome: 'coercedElements', ...ids }).status, 0xb000);
  t.deepEqual([0, 0xff00, 0xb000, 0xfe00, 0xa801, 0xc000].map(statusClass), ['success', 'success', 'warning', 'cancel', 'failure', 'failure']);
});

test('the File Meta Information we build is valid Part 10 and is found again', (t) => {
  const meta = buildFileMeta({ sopClassUid: '1.2.840.10008.5.1.4.1.1.2', sopInstanceUid: '1.2.3', transferSyntaxUid: '1.2.840.10008.1.2.4.50', sourceAeTitle: 'CT01' });
  t.is(meta.toString('latin1', 128, 132), 'DICM');
  t.is(dataSetOffset(Buffer.concat([meta, Buffer.from([0x08, 0x00, 0x05, 0x00, 0x43, 0x53, 0x00, 0x00])])), meta.length);
  t.is(meta.readUInt32LE(140), meta.length - 144);
  t.is(fileMetaTransferSyntax(meta), '1.2.840.10008.1.2.4.50');
  t.is(fileMetaValue(meta, 0x0003), '1.2.3');
  t.is(fileMetaValue(meta, 0x0016), 'CT01');
  const file = readFileSync('/usr/lib/python3/dist-packages/pydicom/data/test_files/CT_small.dcm');
  const offset = dataSetOffset(file) ?? 0;
  t.is(file.readUInt16LE(offset), 0x0008);
  t.is(dataSetOffset(Buffer.alloc(200)), 0);
});

test('a storage context is accepted in its compressed syntax when one is proposed, else in the first', (t) => {
  t.is(chooseStorageSyntax(['1.2.840.10008.1.2.1', '1.2.840.10008.1.2.4.50']), '1.2.840.10008.1.2.4.50');
  t.is(chooseStorageSyntax(['1.2.840.10008.1.2.1', '1.2.840.10008.1.2.2', '1.2.840.10008.1.2']), '1.2.840.10008.1.2.1');
  t.is(chooseStorageSyntax(['1.2.840.10008.1.2.1.99', '1.2.840.10008.1.2.1']), '1.2.840.10008.1.2.1.99');
  t.is(chooseStorageSyntax(['1.2.840.10008.1.2.4.100']), undefined);
});

test('C-FIND identifiers become queries: single, list, wildcard, range and universal keys', (t) => {
  const q = parseCFind({
    '00080052': { vr: 'CS', Value: ['STUDY '] },
    '00100010': { vr: 'PN', Value: [{ Alphabetic: '*王*' }] },
    '0020000D': { vr: 'UI', Value: ['1.2', '1.3'] },
    '00080020': { vr: 'DA', Value: ['20240101-'] },
    '00100020': { vr: 'LO', Value: ['P1 '] },
    '00080061': { vr: 'CS' },
    '00080005': { vr: 'CS', Value: ['GB18030'] },
  }, 'study');
  t.is(q.level, 'study');
  t.deepEqual(q.matchers, [
    { kind: 'Wildcard', tag: '00100010', pattern: '*王*' },
    { kind: 'UidList', tag: '0020000D', uids: ['1.2', '1.3'] },
    { kind: 'Range', tag: '00080020', from: '20240101' },
    { kind: 'Single', tag: '00100020', value: 'P1' },
    { kind: 'Universal', tag: '00080061' },
  ]);
  t.deepEqual(q.includeFields, ['00100010', '0020000D', '00080020', '00100020', '00080061']);
  t.is(parseCFind({ '00080052': { vr: 'CS', Value: ['IMAGE'] } }, 'patient').level, 'instance');
  const error = t.throws(() => parseCFind({ '00080052': { vr: 'CS', Value: ['PATIENT'] } }, 'study'));
  t.true(error instanceof OutcomeError);
  t.throws(() => parseCFind({}, 'study'), { message: /QueryRetrieveLevel/ });
});

test('docs/conformance.md lists every storage SOP class and transfer syntax the SCP accepts', (t) => {
  const doc = readFileSync(join(ROOT, 'docs', 'conformance.md'), 'utf8');
  for (const uid of [...Object.keys(STORAGE_SOP_CLASSES), ...Object.keys(STORAGE_TRANSFER_SYNTAXES)]) t.true(doc.includes(`\`${uid}\``), uid);
});
