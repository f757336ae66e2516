// The query half of the archive suite, run once per index engine on a store of its own (exact totals):
// real files and synthetic studies with Chinese names in UTF-8 and GB18030, then every query shape
// QIDO-RS and C-FIND send (all studies, PatientID with issuer, name wildcards, fuzzy, date ranges, UID
// lists, modality, series and instance level, includefield all, patient level, stable paging).
import type { TestFn } from 'ava';
import type { DicomJsonDataset } from '../../lib/dicom/dicom-json.ts';
import type { Matcher } from '../../lib/dicom-query/query.ts';
import { buildDicom, newUid } from '../helpers/dicom-builder.ts';
import { makeArchive, PYDICOM, query, sample, type ArchiveTarget, type TestArchive } from './archive-fixture.ts';

const TAG = {
  StudyDate: '00080020', Accession: '00080050', Modality: '00080060', Modalities: '00080061', PatientName: '00100010',
  PatientID: '00100020', Issuer: '00100021', Study: '0020000D', Series: '0020000E', SOP: '00080018', SeriesNumber: '00200011',
  InstanceNumber: '00200013', ImageComments: '00204000', StudySeries: '00201206', StudyInstances: '00201208',
  SeriesInstances: '00201209', PatientStudies: '00201200',
} as const;

interface Fixture {
  readonly archive: TestArchive;
  /** Study UIDs by label. */
  readonly s: Readonly<Record<'x1' | 'x2' | 'c' | 'd' | 'e' | 'ct' | 'mr', string>>;
  readonly cSeries: readonly string[];
}

const gb18030 = (hex: string) => Buffer.from(hex, 'hex');

async function ingestAll(archive: TestArchive, objects: readonly Uint8Array[]): Promise<void> {
  for (const bytes of objects) {
    const r = await archive.ingest(bytes);
    if (r.status === 'rejected') throw new Error(`fixture rejected: ${r.reason}`);
  }
}

async function buildFixture(archive: TestArchive): Promise<Fixture> {
  const c = newUid();
  const cSeries = [newUid(), newUid()];
  const d = newUid();
  const e = newUid();
  const objects: Uint8Array[] = [];
  for (const [i, series] of cSeries.entries()) {
    for (const n of [2, 1]) {
      objects.push(buildDicom({
        charset: 'ISO_IR 192',
        attributes: {
          StudyInstanceUID: c, SeriesInstanceUID: series, SOPInstanceUID: newUid(), PatientName: '王^小明', PatientID: 'P100',
          IssuerOfPatientID: 'HOSP1', StudyDate: '20240105', StudyTime: '083000', AccessionNumber: 'ACC1', Modality: 'CT',
          SeriesNumber: i + 1, InstanceNumber: n, ImageComments: `c-${i + 1}-${n}`,
        },
      }));
    }
  }
  // 李^四 in GB18030 bytes (TextEncoder cannot write GB18030).
  objects.push(buildDicom({
    charset: 'GB18030',
    attributes: { StudyInstanceUID: d, PatientName: { vr: 'PN', value: gb18030('c0ee5ecbc4') }, PatientID: 'P200', StudyDate: '20240210', Modality: 'MR' },
  }));
  objects.push(buildDicom({
    charset: 'ISO_IR 100',
    attributes: { StudyInstanceUID: e, PatientName: 'José^García', PatientID: 'P300', StudyDate: '20231231', AccessionNumber: 'ACC3', Modality: 'CT' },
  }));
  await ingestAll(archive, objects);
  const files = ['charset_files/chrX1.dcm', 'charset_files/chrX2.dcm', 'test_files/CT_small.dcm', 'test_files/MR_small.dcm'];
  await ingestAll(archive, await Promise.all(files.map((f) => sample(`${PYDICOM}/${f}`))));
  return {
    archive, cSeries,
    s: {
      x1: '1.3.6.1.4.1.5962.1.2.0.1175775771.5711.0', x2: '1.3.6.1.4.1.5962.1.2.0.1175775771.5714.0', c, d, e,
      ct: '1.3.6.1.4.1.5962.1.2.1.20040119072730.12322', mr: '1.3.6.1.4.1.5962.1.2.4.20040826185059.5457',
    },
  };
}

function first(ds: DicomJsonDataset | undefined, tag: string): unknown {
  return ds?.[tag]?.Value?.[0];
}

const single = (tag: string, value: string): Matcher => ({ kind: 'Single', tag, value });
const wildcard = (tag: string, pattern: string): Matcher => ({ kind: 'Wildcard', tag, pattern });
const range = (tag: string, from?: string, to?: string): Matcher => ({ kind: 'Range', tag, ...(from ? { from } : {}), ...(to ? { to } : {}) });

async function studies(f: Fixture, matchers: readonly Matcher[], fuzzy = false): Promise<string[]> {
  const result = await f.archive.catalog.search(query('study', matchers, { fuzzyMatching: fuzzy }));
  return result.matches.map((m) => String(first(m, TAG.Study)));
}

export function registerQuerySuite(test: TestFn, target: ArchiveTarget): void {
  let fixture: Promise<Fixture> | undefined;
  const get = async () => {
    fixture ??= target.open(true).then((engine) => buildFixture(makeArchive(engine, { buckets: target.buckets })));
    return fixture;
  };
  const name = (title: string) => `${target.name}: query ${title}`;

  test(name('all studies: newest first, undated last, counts and modalities'), async (t) => {
    const f = await get();
    const result = await f.archive.catalog.search(query('study', []));
    t.is(result.total, 7);
    const undated = [f.s.x1, f.s.x2].sort();
    t.deepEqual(result.matches.map((m) => first(m, TAG.Study)), [f.s.d, f.s.c, f.s.e, f.s.mr, f.s.ct, ...undated]);
    const c = result.matches[1];
    t.is(first(c, TAG.StudySeries), 2);
    t.is(first(c, TAG.StudyInstances), 4);
    t.deepEqual(c?.[TAG.Modalities]?.Value, ['CT']);
    t.deepEqual(first(c, TAG.PatientName), { Alphabetic: '王^小明' });
    t.deepEqual(first(result.matches[0], TAG.PatientName), { Alphabetic: '李^四' }, 'GB18030 decoded');
  });

  test(name('limit and offset page through a stable order and keep the total'), async (t) => {
    const f = await get();
    const all = (await f.archive.catalog.search(query('study', []))).matches.map((m) => first(m, TAG.Study));
    const pages: unknown[] = [];
    for (let offset = 0; offset < 9; offset += 3) {
      const page = await f.archive.catalog.search(query('study', [], { limit: 3, offset }));
      t.is(page.total, 7);
      pages.push(...page.matches.map((m) => first(m, TAG.Study)));
    }
    t.deepEqual(pages, all);
  });

  test(name('PatientID with and without issuer, accession, UID list'), async (t) => {
    const f = await get();
    t.deepEqual(await studies(f, [single(TAG.PatientID, 'P100')]), [f.s.c]);
    t.deepEqual(await studies(f, [single(TAG.PatientID, 'P100'), single(TAG.Issuer, 'HOSP1')]), [f.s.c]);
    t.deepEqual(await studies(f, [single(TAG.PatientID, 'P100'), single(TAG.Issuer, 'OTHER')]), []);
    t.deepEqual(await studies(f, [wildcard(TAG.PatientID, 'P?00')]), [f.s.d, f.s.c, f.s.e]);
    t.deepEqual(await studies(f, [single(TAG.Accession, 'ACC3')]), [f.s.e]);
    t.deepEqual(await studies(f, [{ kind: 'UidList', tag: TAG.Study, uids: [f.s.ct, f.s.d, newUid()] }]), [f.s.d, f.s.ct]);
  });

  test(name('patient names: Chinese wildcard, single value, fuzzy (case, accents, name parts)'), async (t) => {
    const f = await get();
    t.deepEqual((await studies(f, [wildcard(TAG.PatientName, '*王*')])).sort(), [f.s.c, f.s.x1, f.s.x2].sort());
    t.deepEqual(await studies(f, [wildcard(TAG.PatientName, '王^小?')]), [f.s.c, f.s.x1, f.s.x2]);
    t.deepEqual(await studies(f, [single(TAG.PatientName, '王^小明')]), [f.s.c]);
    t.deepEqual(await studies(f, [single(TAG.PatientName, '李^四')]), [f.s.d]);
    t.deepEqual(await studies(f, [single(TAG.PatientName, 'wang')]), [], 'exact matching is case-sensitive and whole-name');
    t.deepEqual((await studies(f, [single(TAG.PatientName, 'wang')], true)).sort(), [f.s.x1, f.s.x2].sort());
    t.deepEqual((await studies(f, [wildcard(TAG.PatientName, 'XIAO*')], true)).sort(), [f.s.x1, f.s.x2].sort());
    t.deepEqual(await studies(f, [single(TAG.PatientName, 'jose garcia')], true), [f.s.e]);
    t.deepEqual(await studies(f, [wildcard(TAG.PatientName, '*sé*')]), [f.s.e]);
    t.deepEqual(await studies(f, [wildcard(TAG.PatientName, 'Compressed*')]), [f.s.mr, f.s.ct], 'by the token "com"');
    t.deepEqual(await studies(f, [wildcard(TAG.PatientName, 'Co*')]), [f.s.mr, f.s.ct], 'no token: every study date');
  });

  test(name('study date ranges, single dates and modality'), async (t) => {
    const f = await get();
    t.deepEqual(await studies(f, [range(TAG.StudyDate, '20240101')]), [f.s.d, f.s.c]);
    t.deepEqual(await studies(f, [range(TAG.StudyDate, undefined, '20231231')]), [f.s.e, f.s.mr, f.s.ct]);
    t.deepEqual(await studies(f, [range(TAG.StudyDate, '20040101', '20041231')]), [f.s.mr, f.s.ct]);
    t.deepEqual(await studies(f, [single(TAG.StudyDate, '20240105')]), [f.s.c]);
    t.deepEqual(await studies(f, [range(TAG.StudyDate, '20230101'), single(TAG.Modalities, 'CT')]), [f.s.c, f.s.e]);
    t.deepEqual(await studies(f, [single(TAG.Modalities, 'MR')]), [f.s.d, f.s.mr]);
    const page = await f.archive.catalog.search(query('study', [range(TAG.StudyDate, '20040101', '20241231')], { limit: 2, offset: 1 }));
    t.is(page.total, 5);
    t.deepEqual(page.matches.map((m) => first(m, TAG.Study)), [f.s.c, f.s.e]);
    const warned = await f.archive.catalog.search(query('study', [single(TAG.Modality, 'MR')]));
    t.is(warned.total, 7, 'Modality is not a study attribute: ignored at study level');
    t.true(warned.warnings.some((w) => w.includes('00080060')));
  });

  test(name('series level: a study\'s series, all series by modality'), async (t) => {
    const f = await get();
    const r = await f.archive.catalog.search(query('series', [single(TAG.Study, f.s.c)]));
    t.is(r.total, 2);
    t.deepEqual(r.matches.map((m) => first(m, TAG.Series)), f.cSeries);
    t.deepEqual(r.matches.map((m) => first(m, TAG.SeriesInstances)), [2, 2]);
    t.is(first(r.matches[0], TAG.Study), f.s.c);
    const mr = await f.archive.catalog.search(query('series', [single(TAG.Modality, 'MR')]));
    t.deepEqual(mr.matches.map((m) => first(m, TAG.Study)), [f.s.d, f.s.mr]);
    const one = await f.archive.catalog.search(query('series', [single(TAG.Series, f.cSeries[1] ?? '')]));
    t.deepEqual(one.matches.map((m) => first(m, TAG.SeriesNumber)), [2]);
  });

  test(name('instance level: order, includefield, all, by SOP Instance UID'), async (t) => {
    const f = await get();
    const r = await f.archive.catalog.search(query('instance', [single(TAG.Study, f.s.c)], { includeFields: [TAG.ImageComments] }));
    t.is(r.total, 4);
    t.deepEqual(r.matches.map((m) => first(m, TAG.ImageComments)), ['c-1-1', 'c-1-2', 'c-2-1', 'c-2-2']);
    const plain = await f.archive.catalog.search(query('instance', [single(TAG.Study, f.s.c)]));
    t.is(plain.matches[0]?.[TAG.ImageComments], undefined, 'not returned unless asked for');
    t.truthy(plain.matches[0]?.[TAG.SOP]);
    const all = await f.archive.catalog.search(query('instance', [single(TAG.Study, f.s.ct)], { includeFields: 'all' }));
    t.is(all.total, 1);
    const ds = all.matches[0];
    t.truthy(ds?.['00280030'], 'PixelSpacing comes with includefield=all');
    t.is(ds?.['7FE00010'], undefined, 'never pixel data');
    const sop = String(first(ds, TAG.SOP));
    const bySop = await f.archive.catalog.search(query('instance', [single(TAG.SOP, sop)]));
    t.deepEqual(bySop.matches.map((m) => first(m, TAG.Study)), [f.s.ct]);
    const gbInstances = await f.archive.catalog.search(query('instance', [wildcard(TAG.PatientName, '*小东*')]));
    t.deepEqual(gbInstances.matches.map((m) => first(m, TAG.Study)), [f.s.x2]);
  });

  test(name('patient level: distinct patients with their counts'), async (t) => {
    const f = await get();
    const r = await f.archive.catalog.search({ ...query('patient', [single(TAG.PatientID, 'P100')]), root: 'patient' });
    t.is(r.total, 1);
    t.like(r.matches[0], { [TAG.PatientStudies]: { Value: [1] }, '00201204': { Value: [4] } });
    const wang = await f.archive.catalog.search({ ...query('patient', [wildcard(TAG.PatientName, '*王*')]), root: 'patient' });
    t.deepEqual(wang.matches.map((m) => first(m, TAG.PatientID)), ['P100', 'X1EXAMPLE', 'X2EXAMPLE']);
  });

  // Serial: it adds and deletes an instance, restoring what the other tests count.
  test.serial(name('series metadata is one bundle and follows new instances'), async (t) => {
    const f = await get();
    const series = f.cSeries[0] ?? '';
    const before = await f.archive.catalog.seriesMetadata(f.s.c, series);
    t.deepEqual(before.map((d) => first(d, TAG.InstanceNumber)), [1, 2]);
    t.is(before, await f.archive.catalog.seriesMetadata(f.s.c, series), 'served from the cache while unchanged');
    const sop = newUid();
    await ingestAll(f.archive, [buildDicom({ charset: 'ISO_IR 192', attributes: { StudyInstanceUID: f.s.c, SeriesInstanceUID: series, SOPInstanceUID: sop, PatientName: '王^小明', PatientID: 'P100', IssuerOfPatientID: 'HOSP1', StudyDate: '20240105', Modality: 'CT', SeriesNumber: 1, InstanceNumber: 3 } })]);
    const after = await f.archive.catalog.seriesMetadata(f.s.c, series);
    t.deepEqual(after.map((d) => first(d, TAG.InstanceNumber)), [1, 2, 3]);
    t.is((await f.archive.catalog.listInstances(f.s.c)).length, 5);
    const sha = (await f.archive.catalog.getInstance(sop))?.sha256;
    t.truthy(sha);
    t.is(await f.archive.catalog.deleteInstance(sop), sha);
    t.is(await f.archive.catalog.getInstance(sop), undefined);
    t.deepEqual((await f.archive.catalog.seriesMetadata(f.s.c, series)).map((d) => first(d, TAG.InstanceNumber)), [1, 2]);
    const c = (await f.archive.catalog.search(query('study', [single(TAG.Study, f.s.c)]))).matches[0];
    t.is(first(c, TAG.StudyInstances), 4);
  });
}

