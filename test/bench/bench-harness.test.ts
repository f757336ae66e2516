// The bench's own arithmetic and wire formats: a wrong percentile or a malformed STOW body would
// make every number in bench/results wrong without any error.
import test from 'ava';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServer, Agent } from 'node:http';
import { tempDir } from '../helpers/processes.ts';
import { median, percentile, speedup, summarize } from '../../bench/report/stats.ts';
import { parseDcmsendReport } from '../../bench/clients/dcmtk.ts';
import { multipartBody, stowStudy } from '../../bench/clients/stow-client.ts';
import { Recorder } from '../../bench/report/recorder.ts';
import { buildRows } from '../../bench/report/write-report.ts';

test('nearest-rank percentiles, median and spread', (t) => {
  const samples = [5, 1, 4, 2, 3, 10, 9, 8, 7, 6];
  t.is(percentile(samples, 50), 5);
  t.is(percentile(samples, 95), 10);
  t.is(percentile(samples, 0), 1);
  t.true(Number.isNaN(percentile([], 50)));
  t.is(median([3, 1, 2]), 2);
  t.is(median([4, 1, 3, 2]), 2.5);
  t.deepEqual(summarize([30, 10, 20]), { median: 20, min: 10, max: 30, rounds: 3 });
});

test('speed-up is above 1 when Yunying is better, for rates and for latencies', (t) => {
  t.is(speedup(200, 100, 'higher'), 2);
  t.is(speedup(5, 50, 'lower'), 10);
  t.is(speedup(50, 5, 'lower'), 0.1);
  t.true(Number.isNaN(speedup(0, 5, 'lower')));
});

test('dcmsend report: successes and warnings stored, the rest failed', (t) => {
  const report = `Status Summary\n--------------\nNumber of associations   : 1\nNumber of SOP instances  : 30\n- sent to the peer       : 29\n  * with status SUCCESS  : 27\n  * with status WARNING  : 1\n  * with status ERROR    : 1\n`;
  t.deepEqual(parseDcmsendReport(report), { stored: 28, failed: 2 });
});

test('STOW body: multipart/related framing, exact Content-Length, files intact', async (t) => {
  const dir = tempDir('bench-stow');
  const a = join(dir, 'a.dcm');
  const b = join(dir, 'b.dcm');
  writeFileSync(a, Buffer.alloc(70_000, 1));
  writeFileSync(b, Buffer.from('DICM second'));
  const parts = [{ file: a, bytes: 70_000 }, { file: b, bytes: 11 }];
  const { stream, length } = multipartBody(parts, 'XYZ');
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks);
  t.is(body.length, length);
  const text = body.toString('latin1');
  const pieces = text.split('--XYZ');
  t.is(pieces.length, 4);
  t.is(pieces[3], '--\r\n');
  t.is(pieces[2], '\r\nContent-Type: application/dicom\r\n\r\nDICM second\r\n');
  t.is(pieces[1]?.length, '\r\nContent-Type: application/dicom\r\n\r\n'.length + 70_000 + 2);

  // Over the wire: the server sees the declared type and length, and the client reads the answer.
  let seen = { type: '', length: 0, received: 0 };
  const server = createServer((req, res) => {
    let received = 0;
    req.on('data', (c: Buffer) => { received += c.length; });
    req.on('end', () => {
      seen = { type: req.headers['content-type'] ?? '', length: Number(req.headers['content-length']), received };
      res.writeHead(200, { 'content-type': 'application/dicom+json' });
      res.end(JSON.stringify({ '00081199': { vr: 'SQ', Value: [{}, {}] }, '00081198': { vr: 'SQ', Value: [{}] } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const agent = new Agent({ keepAlive: true });
  const outcome = await stowStudy(`http://127.0.0.1:${port}/dicom-web/studies`, parts, {}, agent);
  agent.destroy();
  server.close();
  t.deepEqual(outcome, { status: 200, stored: 2, failed: 1 });
  t.regex(seen.type, /^multipart\/related; type="application\/dicom"; boundary=yy-bench-[0-9a-f]+$/);
  t.is(seen.received, seen.length);
});

test('rows: no speed-up when the systems found different results; targets judged on the median', (t) => {
  const rec = new Recorder();
  for (const [y, o] of [[4, 40], [5, 60], [6, 50]] as const) {
    rec.addValue('search.qido.name-latin@50k.p50', 'QIDO name p50', 'ms', '50k', 'yunying', y);
    rec.addValue('search.qido.name-latin@50k.p50', 'QIDO name p50', 'ms', '50k', 'orthanc', o);
    rec.addCount('search.qido.name-latin@50k.p50', 'yunying', 3);
    rec.addCount('search.qido.name-latin@50k.p50', 'orthanc', 3);
  }
  rec.addValue('search.qido.name-chinese@50k.p50', 'QIDO zh p50', 'ms', '50k', 'yunying', 4);
  rec.addValue('search.qido.name-chinese@50k.p50', 'QIDO zh p50', 'ms', '50k', 'orthanc', 3);
  rec.addCount('search.qido.name-chinese@50k.p50', 'yunying', 12);
  rec.addCount('search.qido.name-chinese@50k.p50', 'orthanc', 0);
  const [latin, chinese] = buildRows(rec, false);
  t.is(latin?.speedup, 10);
  t.is(latin?.met, true);
  t.is(chinese?.speedup, undefined);
  t.is(chinese?.met, undefined);
  t.true(chinese?.notes.some((n) => n.includes('result counts differ')));
});

test('targets: ingest rows against 2× (1× in cluster mode), frames against 20 ms', (t) => {
  const rec = new Recorder();
  rec.addValue('ingest.stow.8@1k.rate', 'STOW 8', 'inst/s', '1k', 'yunying', 150);
  rec.addValue('ingest.stow.8@1k.rate', 'STOW 8', 'inst/s', '1k', 'orthanc', 100);
  rec.addValue('retrieve.frame.p95', 'frame p95', 'ms', '10k', 'yunying', 25);
  rec.addValue('retrieve.frame.p95', 'frame p95', 'ms', '10k', 'orthanc', 250);
  const [ingest, frame] = buildRows(rec, false);
  t.is(ingest?.target, '≥ 2× (embedded)');
  t.is(ingest?.met, false);
  t.is(buildRows(rec, true)[0]?.met, true);
  t.is(frame?.met, false);
  t.is(frame?.speedup, 10);
});
