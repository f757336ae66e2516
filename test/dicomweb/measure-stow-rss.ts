// Measurement, not a test: STOW-RS of one large synthetic instance (default 1 GiB of native pixel data)
// into the embedded default run as its own process (bin/yunying.ts), reading the server's peak RSS
// (VmHWM) from /proc after the request.
//   node --disable-warning=ExperimentalWarning test/dicomweb/measure-stow-rss.ts [MiB]
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { dicomChunks, dicomSize } from '../helpers/dicom-builder.ts';
import { freePort, startYunying, tempDir, waitFor } from '../helpers/processes.ts';
import { AUTH, TOKEN } from './dicomweb-server.ts';

const mib = Number(process.argv[2] ?? '1024');
const frames = Math.round((mib * 1024 * 1024) / (512 * 512 * 2));
const options = { pixels: { rows: 512, columns: 512, frames, bitsAllocated: 16 }, attributes: { Modality: 'CT', SOPClassUID: '1.2.840.10008.5.1.4.1.1.2' } };
const boundary = 'measure-boundary';

/** The body, generated lazily: nothing of it is ever whole in this process either. */
function* body(): Generator<Uint8Array> {
  yield Buffer.from(`--${boundary}\r\nContent-Type: application/dicom\r\n\r\n`);
  for (const chunk of dicomChunks(options, 1024 * 1024)) yield chunk;
  yield Buffer.from(`\r\n--${boundary}--\r\n`);
}

function status(pid: number, field: string): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Math.round(Number(m?.[1] ?? 0) / 1024);
}

const port = await freePort();
const node = startYunying([], { YY_DATA_DIR: tempDir('stow-rss'), YY_HTTP_PORT: String(port), YY_DICOM_PORT: String(await freePort()), YY_ADMIN_TOKEN: TOKEN });
const base = `http://127.0.0.1:${port}/dicom-web`;
await waitFor('node', async () => ((await fetch(`${base}/studies`, { headers: AUTH })).ok ? true : undefined), 30_000);
const pid = node.child.pid ?? 0;
const before = status(pid, 'VmRSS');
const started = Date.now();
const response = await fetch(`${base}/studies`, {
  method: 'POST', body: Readable.toWeb(Readable.from(body())), duplex: 'half',
  headers: { ...AUTH, 'content-type': `multipart/related; type="application/dicom"; boundary=${boundary}`, accept: 'application/dicom+json' },
});
const text = await response.text();
const seconds = (Date.now() - started) / 1000;
const size = dicomSize(options);
console.log(JSON.stringify({
  status: response.status, stored: text.includes('00081199'), objectMiB: Math.round(size / 2 ** 20), seconds,
  serverRssBeforeMiB: before, serverRssAfterMiB: status(pid, 'VmRSS'), serverPeakRssMiB: status(pid, 'VmHWM'),
}));
node.child.kill('SIGTERM');
await node.exited;
