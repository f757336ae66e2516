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
import { Recorder, SYSTEMS, type SystemName } from '../../bench/report/recorder.ts';
import { buildRows, renderMarkdown, tallyTargets, type RunInfo } from '../../bench/report/write-report.ts';
import { inTurn } from '../../bench/scenarios/alternate.ts';
import type { Machine } from '../../bench/report/machine.ts';

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

/** One round per value: [embedded, cluster, Orthanc]. */
function record(rec: Recorder, id: string, unit: 'inst/s' | 'ms', size: string, rounds: readonly (readonly [number, number, number])[]): void {
  for (const values of rounds) for (const [k, name] of SYSTEMS.entries()) rec.addValue(id, id, unit, size, name, values[k] ?? Number.NaN);
}

function counts(rec: Recorder, id: string, perSystem: readonly [number, number, number]): void {
  for (const [k, name] of SYSTEMS.entries()) rec.addCount(id, name, perSystem[k] ?? 0);
}

test('rows: a speed-up per Yunying variant over Orthanc, from the medians of the same run', (t) => {
  const rec = new Recorder();
  record(rec, 'ingest.stow.8@1k.rate', 'inst/s', '1k', [[300, 90, 100], [200, 110, 80], [250, 100, 120]]);
  record(rec, 'retrieve.metadata.warm.p50', 'ms', '10k', [[10, 30, 200]]);
  const [ingest, metadata] = buildRows(rec, SYSTEMS);
  t.deepEqual(ingest?.systems.yunying, { median: 250, min: 200, max: 300, rounds: 3 });
  t.deepEqual(ingest?.systems['yunying-cluster'], { median: 100, min: 90, max: 110, rounds: 3 });
  t.is(ingest?.systems.orthanc?.median, 100);
  t.is(ingest?.versus.yunying?.speedup, 2.5);
  t.is(ingest?.versus['yunying-cluster']?.speedup, 1);
  t.is(metadata?.versus.yunying?.speedup, 20);
  t.is(metadata?.versus['yunying-cluster']?.speedup, 200 / 30);
  // Only the systems of the run get columns and comparisons.
  const embeddedOnly = buildRows(rec, ['yunying', 'orthanc'])[0];
  t.deepEqual(Object.keys(embeddedOnly?.systems ?? {}), ['yunying', 'orthanc']);
  t.deepEqual(Object.keys(embeddedOnly?.versus ?? {}), ['yunying']);
});

test('targets: ingest ≥ 2× embedded and ≥ 1× cluster; metadata, frames and 50k search for both', (t) => {
  const rec = new Recorder();
  record(rec, 'ingest.cstore.1@1k.rate', 'inst/s', '1k', [[150, 150, 100]]);
  record(rec, 'ingest.cstore.1@1k.mbps', 'inst/s', '1k', [[150, 150, 100]]);
  record(rec, 'retrieve.metadata.warm.p50', 'ms', '10k', [[10, 30, 200]]);
  record(rec, 'retrieve.frame.p95', 'ms', '10k', [[25, 15, 250]]);
  record(rec, 'search.qido.patient-id@50k.p50', 'ms', '50k', [[4, 12, 50]]);
  record(rec, 'search.qido.patient-id@10k.p50', 'ms', '10k', [[4, 12, 50]]);
  record(rec, 'search.cecho@50k.p50', 'ms', '50k', [[4, 12, 50]]);
  const [ingest, mbps, metadata, frame, search50k, search10k, echo] = buildRows(rec, SYSTEMS);
  t.like(ingest?.versus, { 'yunying': { speedup: 1.5, target: '≥ 2×', met: false }, 'yunying-cluster': { speedup: 1.5, target: '≥ 1×', met: true } });
  t.is(mbps?.versus.yunying?.target, undefined);
  t.like(metadata?.versus, { 'yunying': { target: '< 20 ms and ≥ 10×', met: true }, 'yunying-cluster': { met: false } });
  t.like(frame?.versus, { 'yunying': { speedup: 10, met: false }, 'yunying-cluster': { met: true } });
  t.like(search50k?.versus, { 'yunying': { target: '≥ 5×', met: true }, 'yunying-cluster': { met: false } });
  t.is(search10k?.versus.yunying?.target, undefined);
  t.is(echo?.versus['yunying-cluster']?.target, undefined);
  const rows = buildRows(rec, SYSTEMS);
  t.deepEqual(tallyTargets(rows, 'yunying'), { rows: 4, met: 2, missed: ['ingest.cstore.1@1k.rate @1k', 'retrieve.frame.p95 @10k'], notMeasured: [] });
  t.deepEqual(tallyTargets(rows, 'yunying-cluster'), { rows: 4, met: 2, missed: ['retrieve.metadata.warm.p50 @10k', 'search.qido.patient-id@50k.p50 @50k'], notMeasured: [] });
});

test('result counts: no speed-up for a variant whose matches differ from Orthanc\'s, the other keeps its own', (t) => {
  const rec = new Recorder();
  const id = 'search.qido.name-latin@50k.p50';
  for (const round of [[4, 6, 40], [5, 7, 60], [6, 8, 50]] as const) {
    record(rec, id, 'ms', '50k', [round]);
    counts(rec, id, [3, 2, 3]);
  }
  const zh = 'search.qido.name-chinese@50k.p50';
  record(rec, zh, 'ms', '50k', [[4, 5, 3]]);
  counts(rec, zh, [12, 12, 0]);
  const [latin, chinese] = buildRows(rec, SYSTEMS);
  t.like(latin?.versus, { yunying: { speedup: 10, met: true } });
  t.is(latin?.versus['yunying-cluster']?.speedup, undefined);
  t.is(latin?.versus['yunying-cluster']?.met, undefined);
  t.deepEqual(latin?.notes, ['result counts differ (matches per round: Yunying cluster 2/2/2, Orthanc 3/3/3): no Yunying cluster speed-up given']);
  for (const variant of ['yunying', 'yunying-cluster'] as const) t.is(chinese?.versus[variant]?.speedup, undefined);
  t.is(chinese?.notes.length, 2);
  t.deepEqual(tallyTargets([latin, chinese].filter((r) => r !== undefined), 'yunying-cluster').notMeasured, [`${id} @50k`, `${zh} @50k`]);
});

test('taking turns: the order rotates, each system goes first and sits in each place equally often', (t) => {
  t.deepEqual([0, 1, 2, 3].map((step) => inTurn(['A', 'B', 'C'], step).join('')), ['ABC', 'BCA', 'CAB', 'ABC']);
  t.deepEqual([0, 1, 2].map((step) => inTurn(['A', 'B'], step).join('')), ['AB', 'BA', 'AB']);
  const seats = Array.from({ length: 12 }, (_, step) => inTurn(['A', 'B', 'C'], step)).flatMap((order) => order.map((name, place) => `${name}${place}`));
  t.is(new Set(seats).size, 9);
  for (const seat of new Set(seats)) t.is(seats.filter((s) => s === seat).length, 4, seat);
});

const MACHINE: Machine = { host: 'test', cpu: 'cpu', cores: 2, ramGiB: 4, disk: 'disk', kernel: 'k', node: 'v22', load: '0' };

function info(systems: readonly SystemName[]): RunInfo {
  return {
    startedAt: new Date(0), finishedAt: new Date(60_000), command: 'node bench/run.ts', sizes: ['1k'], rounds: 1, quick: false, missing: [],
    systems: Object.fromEntries(systems.map((n) => [n, `${n} 1.0`])),
    memory: Object.fromEntries(systems.map((n, k) => [n, { '1k': 100 * (k + 1), 'run': 110 * (k + 1) }])),
  };
}

test('markdown: a column per system, speed-up and target per variant, memory per system, targets per variant', (t) => {
  const rec = new Recorder();
  record(rec, 'ingest.stow.1@1k.rate', 'inst/s', '1k', [[150, 150, 100]]);
  const both = renderMarkdown(rec, buildRows(rec, SYSTEMS), info(SYSTEMS), MACHINE);
  t.true(both.includes('| Scenario | Size | Unit | Yunying embedded median (min–max) | Yunying cluster median (min–max) | Orthanc median (min–max) | Speed-up, embedded | Target, embedded | Speed-up, cluster | Target, cluster |'));
  t.true(both.includes('| ingest.stow.1@1k.rate | 1k | inst/s | 150 | 150 | 100 | 1.50× | ≥ 2×: **not met** | 1.50× | ≥ 1×: met |'));
  t.true(both.includes('| Yunying embedded | 100 | 110 |\n| Yunying cluster | 200 | 220 |\n| Orthanc | 300 | 330 |'));
  t.true(both.includes('- Yunying embedded: 0 of 1 target rows met; missed: ingest.stow.1@1k.rate @1k.'));
  t.true(both.includes('- Yunying cluster: 1 of 1 target rows met; missed: none.'));
  t.false(both.includes('not part of this run'));
  const embedded = renderMarkdown(rec, buildRows(rec, ['yunying', 'orthanc']), info(['yunying', 'orthanc']), MACHINE);
  t.false(embedded.includes('Yunying cluster median'));
  t.false(embedded.includes('Speed-up, cluster'));
  t.true(embedded.includes('- Yunying cluster was not part of this run'));
});
