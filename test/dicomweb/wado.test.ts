// WADO-RS details on synthetic objects: encapsulated frames split over fragments come back whole, a
// single frame as a single part, study-level retrieve and metadata, bulk data by tag, and thumbnails.
import test from 'ava';
import { createHash } from 'node:crypto';
import { decode as decodeJpeg, encode as encodeJpeg } from 'jpeg-js';
import { buildDicom, newUid } from '../helpers/dicom-builder.ts';
import { AUTH, startDicomwebServer, stow, stowBody, type DicomwebServer } from './dicomweb-server.ts';

let server: DicomwebServer;
test.before(async () => { server = await startDicomwebServer(); });
test.after.always(async () => { await server?.close(); });

/** A 64x48 grey JPEG baseline image whose gradient depends on `seed`. */
function jpegFrame(seed: number): Buffer {
  const [w, h] = [64, 48];
  const data = Buffer.alloc(w * h * 4);
  for (let i = 0; i < w * h; i++) {
    const v = ((i % w) * 4 + seed * 40) & 0xff;
    data.set([v, v, v, 255], i * 4);
  }
  return encodeJpeg({ width: w, height: h, data }, 90).data;
}

const evenSplit = (b: Buffer): [Buffer, Buffer] => {
  const at = Math.floor(b.length / 4) * 2;
  return [b.subarray(0, at), b.subarray(at)];
};

async function multipartParts(response: Response): Promise<Buffer[]> {
  const boundary = /boundary=("?)([^";]+)\1/.exec(response.headers.get('content-type') ?? '')?.[2] ?? '';
  const body = Buffer.from(await response.arrayBuffer());
  const parts: Buffer[] = [];
  let at = body.indexOf(`--${boundary}`);
  while (at >= 0) {
    const start = body.indexOf('\r\n\r\n', at) + 4;
    const next = body.indexOf(`\r\n--${boundary}`, start);
    if (next < 0 || start < 4) break;
    parts.push(body.subarray(start, next));
    at = next + 2;
    if (body.subarray(next + 4 + boundary.length, next + 6 + boundary.length).toString() === '--') break;
  }
  return parts;
}

test('encapsulated frames over several fragments come back whole; one frame can be a single part', async (t) => {
  const [f1, f2] = [jpegFrame(1), jpegFrame(2)];
  const study = newUid();
  const series = newUid();
  const sop = newUid();
  const object = buildDicom({
    transferSyntax: '1.2.840.10008.1.2.4.50',
    attributes: { StudyInstanceUID: study, SeriesInstanceUID: series, SOPInstanceUID: sop, Rows: 48, Columns: 64, Modality: 'XA' },
    pixels: { encapsulated: [[f1], evenSplit(f2)] },
  });
  const stored = await stow(server.base, stowBody([object]), undefined, `/studies/${study}`);
  t.is(stored.status, 200, JSON.stringify(stored.body));
  const url = `${server.base}/studies/${study}/series/${series}/instances/${sop}`;
  const both = await fetch(`${url}/frames/2,1`, { headers: { ...AUTH, accept: 'multipart/related; type="image/jpeg"' } });
  t.is(both.status, 200);
  const parts = await multipartParts(both);
  t.is(parts.length, 2);
  t.true(parts[0]?.subarray(0, f2.length).equals(f2), 'frame 2 is its two fragments, in order');
  t.true(parts[1]?.subarray(0, f1.length).equals(f1));
  const instance = await fetch(url, { headers: { ...AUTH, accept: 'application/dicom' } });
  t.is(instance.status, 200);
  t.true(Buffer.from(await instance.arrayBuffer()).equals(object), 'an instance as a single part is the stored object');
  const single = await fetch(`${url}/frames/2`, { headers: { ...AUTH, accept: 'image/jpeg' } });
  t.is(single.status, 200);
  t.regex(single.headers.get('content-type') ?? '', /^image\/jpeg; transfer-syntax=1\.2\.840\.10008\.1\.2\.4\.50/);
  t.is(decodeJpeg(new Uint8Array(await single.arrayBuffer()), { useTArray: true }).width, 64);
  const rendered = await fetch(`${url}/frames/2/rendered`, { headers: { ...AUTH, accept: 'image/png' } });
  t.is(rendered.status, 200);
  const png = Buffer.from(await rendered.arrayBuffer());
  t.deepEqual([png.readUInt32BE(16), png.readUInt32BE(20)], [64, 48]);
  t.is((await fetch(`${url}/frames/0`, { headers: AUTH })).status, 400);
  t.is((await fetch(`${url}/frames/1,x`, { headers: AUTH })).status, 400);
  t.is((await fetch(`${url}/frames/3`, { headers: AUTH })).status, 404);
});

test('study retrieve and metadata; bulk data by tag; a wrong study in the path is 404', async (t) => {
  const study = newUid();
  const objects = [1, 2, 3].map((n) => buildDicom({
    attributes: { StudyInstanceUID: study, SeriesInstanceUID: n === 3 ? `${study}.2` : `${study}.1`, InstanceNumber: n, Modality: 'MR' },
    pixels: { rows: 32, columns: 32, bitsAllocated: 16 },
  }));
  t.is((await stow(server.base, stowBody(objects))).status, 200);
  const whole = await fetch(`${server.base}/studies/${study}`, { headers: { ...AUTH, accept: 'multipart/related; type="application/dicom"; transfer-syntax=*' } });
  t.is(whole.status, 200);
  const hashes = (await multipartParts(whole)).map((p) => createHash('sha256').update(p).digest('hex')).sort();
  t.deepEqual(hashes, objects.map((o) => createHash('sha256').update(o).digest('hex')).sort());
  const metadata = await fetch(`${server.base}/studies/${study}/metadata`, { headers: AUTH });
  t.is(metadata.status, 200);
  t.regex(metadata.headers.get('content-type') ?? '', /^application\/dicom\+json/);
  const datasets = await metadata.json() as Record<string, { Value?: string[]; BulkDataURI?: string }>[];
  t.is(datasets.length, 3);
  const first = datasets[0] ?? {};
  const sop = first['00080018']?.Value?.[0] ?? '';
  const seriesUid = first['0020000E']?.Value?.[0] ?? '';
  const byTag = await fetch(`${server.base}/studies/${study}/series/${seriesUid}/instances/${sop}/bulkdata/7FE00010`, { headers: AUTH });
  t.is(byTag.status, 200);
  t.is((await multipartParts(byTag))[0]?.length, 32 * 32 * 2);
  t.is((await fetch(`${server.base}/studies/${study}/series/${seriesUid}/instances/${sop}/bulkdata/00100010`, { headers: AUTH })).status, 404);
  t.is((await fetch(`${server.base}/studies/1.2.3/series/${seriesUid}/instances/${sop}/metadata`, { headers: AUTH })).status, 404);
  t.is((await fetch(`${server.base}/studies/1.2.3`, { headers: AUTH })).status, 404);
  const thumb = await fetch(`${server.base}/studies/${study}/thumbnail`, { headers: { ...AUTH, accept: 'image/jpeg' } });
  t.is(thumb.status, 200);
  t.is(decodeJpeg(new Uint8Array(await thumb.arrayBuffer()), { useTArray: true }).width, 128);
});

test('series metadata served warm follows a new instance in the series and differs per root URL', async (t) => {
  const study = newUid();
  const series = `${study}.1`;
  const make = (n: number) => buildDicom({ attributes: { StudyInstanceUID: study, SeriesInstanceUID: series, InstanceNumber: n, Modality: 'CT' }, pixels: { rows: 32, columns: 32, bitsAllocated: 16 } });
  t.is((await stow(server.base, stowBody([make(1), make(2)]))).status, 200);
  const url = `${server.base}/studies/${study}/series/${series}/metadata`;
  const read = async (target: string) => {
    const datasets = await (await fetch(target, { headers: AUTH })).json() as unknown[];
    return { n: datasets.length, text: JSON.stringify(datasets) };
  };
  t.is((await read(url)).n, 2);
  t.is((await read(url)).n, 2);
  t.is((await stow(server.base, stowBody([make(3)]))).status, 200);
  t.is((await read(url)).n, 3, 'an instance stored after a warm read appears in the next read');
  const local = await read(url.replace('127.0.0.1', 'localhost'));
  t.is(local.n, 3);
  t.true(local.text.includes('http://localhost:'), 'BulkDataURIs follow the host the client used');
  t.false(local.text.includes('127.0.0.1'));
});
