// node .h2-scratch/measure.ts sqlite|cassandra
import { performance } from 'node:perf_hooks';
import { cassandraTarget, makeArchive, sqliteTarget, query } from '../test/archive/archive-fixture.ts';
import { buildDicom, newUid } from '../test/helpers/dicom-builder.ts';

const which = process.argv[2] ?? 'sqlite';
const target = which === 'cassandra' ? cassandraTarget() : sqliteTarget();
const archive = makeArchive(await target.open(true), { buckets: target.buckets });
const STUDIES = 50, SERIES = 2, PER_SERIES = Number(process.env.PER_SERIES ?? 50);
const names = ['王^小明', '李^四', '张^伟', '刘^洋', '陈^静'];
const studies: { uid: string; series: string[] }[] = [];
const t0 = performance.now();
let n = 0;
for (let s = 0; s < STUDIES; s++) {
  const uid = newUid(); const series = [newUid(), newUid()]; studies.push({ uid, series });
  for (let k = 0; k < SERIES; k++) for (let i = 1; i <= PER_SERIES; i++) {
    const bytes = buildDicom({ charset: 'ISO_IR 192', attributes: {
      StudyInstanceUID: uid, SeriesInstanceUID: series[k]!, SOPInstanceUID: newUid(), PatientName: names[s % 5]!, PatientID: `P${s}`,
      StudyDate: `202401${String(1 + (s % 28)).padStart(2, '0')}`, Modality: k === 0 ? 'CT' : 'MR', SeriesNumber: k + 1, InstanceNumber: i,
      AccessionNumber: `A${s}`, StudyDescription: 'CHEST', SeriesDescription: 'AXIAL 5mm', ImageType: ['ORIGINAL', 'PRIMARY', 'AXIAL'],
      SliceThickness: '5', PixelSpacing: ['0.7', '0.7'], ImagePositionPatient: ['0', '0', String(i * 5)], ImageOrientationPatient: ['1', '0', '0', '0', '1', '0'],
    }, pixels: { rows: 64, columns: 64 } });
    const r = await archive.ingest(bytes);
    if (r.status !== 'stored') throw new Error(JSON.stringify(r));
    n++;
  }
}
const ingestMs = performance.now() - t0;
console.log(`${which}: ingested ${n} instances (64x64 CT/MR, ~10 KB) in ${(ingestMs / 1000).toFixed(1)} s = ${(n / (ingestMs / 1000)).toFixed(0)} instances/s`);
async function time(label: string, fn: () => Promise<unknown>, rounds = 20) {
  const times: number[] = [];
  for (let i = 0; i < rounds; i++) { const a = performance.now(); await fn(); times.push(performance.now() - a); }
  times.sort((a, b) => a - b);
  console.log(`${which}: ${label}: median ${times[Math.floor(rounds / 2)]!.toFixed(1)} ms, p90 ${times[Math.floor(rounds * 0.9)]!.toFixed(1)} ms`);
}
const { catalog } = archive;
const s0 = studies[7]!;
const { createIndexCatalog } = await import('../lib/archive/index-catalog.ts');
const cold = createIndexCatalog(archive.engine, { metadataCacheBytes: 0, studyBuckets: target.buckets });
await time('series metadata, 50 instances, no cache', () => cold.seriesMetadata(s0.uid, s0.series[0]!));
await time('series metadata, 50 instances, cached (one row read)', () => catalog.seriesMetadata(s0.uid, s0.series[0]!));
await time('study search by PatientID', () => catalog.search(query('study', [{ kind: 'Single', tag: '00100020', value: 'P7' }])));
await time('study search PatientName=*王* (10 of 50 studies)', () => catalog.search(query('study', [{ kind: 'Wildcard', tag: '00100010', pattern: '*王*' }])));
await time('all studies (50), limit 10', () => catalog.search(query('study', [], { limit: 10 })));
await time('study date range 20240101-20240107 + CT', () => catalog.search(query('study', [{ kind: 'Range', tag: '00080020', from: '20240101', to: '20240107' }, { kind: 'Single', tag: '00080061', value: 'CT' }])));
await time('instance search in one study (100)', () => catalog.search(query('instance', [{ kind: 'Single', tag: '0020000D', value: s0.uid }])));
await target.dispose();
