import { performance } from 'node:perf_hooks';
import { Readable } from 'node:stream';
import { sqliteTarget, makeArchive } from '../test/archive/archive-fixture.ts';
import { buildDicom, newUid } from '../test/helpers/dicom-builder.ts';
import { createHeaderReader } from '../lib/dicom/read-header.ts';
import { createHash } from 'node:crypto';
const target = sqliteTarget();
const archive = makeArchive(await target.open(true), { buckets: 1 });
const study = newUid(), series = newUid();
const objs = Array.from({ length: 200 }, (_, i) => buildDicom({ charset: 'ISO_IR 192', attributes: { StudyInstanceUID: study, SeriesInstanceUID: series, SOPInstanceUID: newUid(), PatientName: '王^小明', PatientID: 'P1', StudyDate: '20240101', Modality: 'CT', InstanceNumber: i + 1 }, pixels: { rows: 64, columns: 64 } }));
let t = performance.now();
for (const o of objs) { const r = createHeaderReader({ defaultCharacterSet: 'GB18030', maxHeaderBytes: 1 << 26 }); r.push(o); r.finish(); }
console.log('parse only', ((performance.now() - t) / objs.length).toFixed(2), 'ms/instance');
t = performance.now();
for (const o of objs) { const sha = createHash('sha256').update(o).digest('hex'); await archive.blobs.put({ sha256: sha, size: o.length, open: () => Readable.from([o]) }); }
console.log('blob put only', ((performance.now() - t) / objs.length).toFixed(2), 'ms/instance');
const objs2 = objs.map((_, i) => buildDicom({ charset: 'ISO_IR 192', attributes: { StudyInstanceUID: study, SeriesInstanceUID: series, SOPInstanceUID: newUid(), PatientName: '王^小明', PatientID: 'P1', StudyDate: '20240101', Modality: 'CT', InstanceNumber: i + 1 }, pixels: { rows: 64, columns: 64 } }));
t = performance.now();
for (const o of objs2) { const r = createHeaderReader({ defaultCharacterSet: 'GB18030', maxHeaderBytes: 1 << 26 }); r.push(o); const p = r.finish();
  await archive.catalog.recordInstance({ ...p, sha256: createHash('sha256').update(o).digest('hex'), size: o.length, receivedAt: new Date(), source: 'x' }, { replace: false }); }
console.log('parse + recordInstance', ((performance.now() - t) / objs.length).toFixed(2), 'ms/instance');
t = performance.now();
for (const o of objs) await archive.ingest(o);
console.log('ingest (duplicates)', ((performance.now() - t) / objs.length).toFixed(2), 'ms/instance');
const objs3 = objs.map((_, i) => buildDicom({ charset: 'ISO_IR 192', attributes: { StudyInstanceUID: study, SeriesInstanceUID: series, SOPInstanceUID: newUid(), PatientName: '王^小明', PatientID: 'P1', StudyDate: '20240101', Modality: 'CT', InstanceNumber: i + 1 }, pixels: { rows: 64, columns: 64 } }));
t = performance.now();
for (const o of objs3) await archive.ingest(o);
console.log('ingest (new)', ((performance.now() - t) / objs.length).toFixed(2), 'ms/instance');
await target.dispose();
