// The edge bench: `node bench/edge/run-edge.ts [--slices 300] [--rounds 3] [--keep]` (npm run bench:edge).
// One city (front node + 2 storage nodes) and a distributed-storage hospital edge whose leaf connection
// crosses a slow link (20 ms added round trip, 100 Mbit/s each way); a 300-slice 512x512 16-bit series
// is opened (time to first frame, then every frame) as served:
//   A. from the city (the same kind of series stored centrally),
//   B. from the edge over the slow link (cache and prefetch off, so every frame crosses the link),
//   C. from the edge on a first visit with prefetch and cache on (what a doctor sees the first time),
//   D. from the prefetched copy in the city's storage, with the edge frozen (cache off),
//   E. from the city's in-memory cache, with the edge frozen.
// Writes bench/results/<date>-edge.md and .json.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { CONFIG_KEYS } from '../../lib/config/config-keys.ts';
import { describeMachine } from '../report/machine.ts';
import { startEdgeCity, type EdgeCity } from '../../test/edge/edge-city.ts';
import { dcmsendDir, writeSeries, type SentInstance } from '../../test/edge/edge-data.ts';
import { qidoInstances } from '../../test/edge/dicomweb-reads.ts';
import { waitFor } from '../../test/helpers/processes.ts';
import { writeEdgeReport, type EdgeCase } from './edge-report.ts';
import { readSeries, timeFirstFrame, type FirstFrame, type SeriesRead } from './series-reads.ts';

const BENCH = join(import.meta.dirname, '..');
const LATENCY_MS = 10;
const MBIT = 100;
const IN_FLIGHT = 4;
const SIZE = { rows: 512, columns: 512 };

function log(line: string): void {
  console.error(`${new Date().toISOString().slice(11, 19)} bench:edge: ${line}`);
}

function options() {
  const { values } = parseArgs({ options: {
    slices: { type: 'string', default: '300' }, rounds: { type: 'string', default: '3' }, keep: { type: 'boolean', default: false },
    work: { type: 'string', default: join(BENCH, 'work') },
  } });
  return { slices: Number(values.slices), rounds: Number(values.rounds), keep: values.keep, work: values.work };
}

async function send(dir: string, peer: { port: number; aeTitle: string }, count: number): Promise<void> {
  const r = await dcmsendDir(dir, peer);
  if (r.success !== count) throw new Error(`dcmsend to ${peer.aeTitle}: ${r.success} of ${count} stored\n${r.report.slice(-800)}`);
}

async function waitIndexed(city: EdgeCity, series: readonly SentInstance[]): Promise<void> {
  const study = series[0]?.studyInstanceUid ?? '';
  await waitFor(`${series.length} instances indexed at the city`, async () => ((await qidoInstances(city, study)).length >= series.length ? true : undefined), 600_000, 1000);
}

/** `rounds` openings of the series, each a first frame and then every frame. */
async function measure(city: EdgeCity, series: readonly SentInstance[], rounds: number, label: string): Promise<{ firstFrames: FirstFrame[]; reads: SeriesRead[] }> {
  const firstFrames: FirstFrame[] = [];
  const reads: SeriesRead[] = [];
  for (let round = 0; round < rounds; round++) {
    const first = await timeFirstFrame(city, series);
    const read = await readSeries(city, series, IN_FLIGHT);
    log(`${label} round ${round + 1}: first frame ${first.ms.toFixed(0)} ms (${first.source}), series ${read.mbPerSecond.toFixed(1)} MB/s, ${read.framesPerSecond.toFixed(1)} frames/s, sources ${JSON.stringify(read.sources)}`);
    firstFrames.push(first);
    reads.push(read);
  }
  return { firstFrames, reads };
}

/** city-1 again with other settings (the cache is in its memory: a restart empties it). */
async function restartCity(city: EdgeCity, env: Readonly<Record<string, string>>, probe: SentInstance): Promise<void> {
  await city.kill('city-1');
  city.start('city-1', env);
  await waitFor('city-1 back', async () => ((await qidoInstances(city, probe.studyInstanceUid)).length > 0 ? true : undefined), 120_000, 250);
}

async function storedObjects(city: EdgeCity): Promise<number> {
  const body = (await city.api('/api/storage')).body as { nodes?: { objects: number }[] };
  return (body.nodes ?? []).reduce((n, x) => n + x.objects, 0);
}

/** Waits until the prefetch put `count` more replicas into the city's storage; a read re-triggers a stalled one. */
async function waitPrefetched(city: EdgeCity, series: readonly SentInstance[], before: number, count: number): Promise<void> {
  let polls = 0;
  await waitFor('the series prefetched into the city', async () => {
    if (++polls % 10 === 0) await timeFirstFrame(city, series.slice(-1));
    return (await storedObjects(city)) >= before + count ? true : undefined;
  }, 600_000, 1000);
}

async function main(): Promise<void> {
  const o = options();
  const startedAt = new Date();
  const dir = join(o.work, `edge-${startedAt.toISOString().replace(/[:.]/g, '').slice(0, 15)}`);
  log(`writing 2 x ${o.slices} slices of ${SIZE.rows}x${SIZE.columns} under ${dir}`);
  const central = writeSeries(join(dir, 'city-series'), { studies: 1, perStudy: o.slices, ...SIZE }, 'C');
  const distributed = writeSeries(join(dir, 'edge-series'), { studies: 1, perStudy: o.slices, ...SIZE }, 'E');
  const off = { YY_RETRIEVAL_CACHE_BYTES: '0', YY_PREFETCH_CONCURRENCY: '0' };
  // A restart's settings replace the city's start settings key by key: name both each time.
  const cacheOn = CONFIG_KEYS.retrievalCacheBytes.default;
  const city = await startEdgeCity('bench-edge', {
    cityEnv: off, slowLink: { latencyMs: LATENCY_MS, bytesPerSecond: (MBIT * 1e6) / 8, maxQueuedBytes: 4 * 1024 * 1024 },
  });
  const cases: EdgeCase[] = [];
  const notes: string[] = [];
  try {
    log('sending the series (city: to its DIMSE; edge: to the distributed hospital\'s edge)');
    await send(join(dir, 'city-series'), city.cityDicom, o.slices);
    await send(join(dir, 'edge-series'), { port: city.distributed.dicomPort, aeTitle: city.distributed.aeTitle }, o.slices);
    await waitIndexed(city, central);
    await waitIndexed(city, distributed);

    const a = await measure(city, central, o.rounds, 'A city');
    cases.push({ id: 'city', title: 'A. City storage (centralized copy)', setup: 'cache off', ...a });
    const b = await measure(city, distributed, o.rounds, 'B edge');
    cases.push({ id: 'edge', title: 'B. Hospital edge over the slow link', setup: 'cache and prefetch off', ...b });

    await restartCity(city, { YY_RETRIEVAL_CACHE_BYTES: cacheOn, YY_PREFETCH_CONCURRENCY: '4' }, central[0] as SentInstance);
    const before = await storedObjects(city);
    const c = await measure(city, distributed, 1, 'C first visit');
    cases.push({ id: 'first-visit', title: 'C. Edge, first visit (prefetch starts at frame 1)', setup: 'cache on, prefetch 4', ...c });
    await waitPrefetched(city, distributed, before, 2 * o.slices);
    notes.push(`The prefetch copied the series into the city's storage (2 replicas each: ${(await storedObjects(city)) - before} objects added).`);

    city.freeze([city.distributed.id]);
    try {
      await restartCity(city, off, central[0] as SentInstance);
      const d = await measure(city, distributed, o.rounds, 'D prefetched');
      cases.push({ id: 'prefetched', title: 'D. Prefetched copy in the city, edge frozen', setup: 'cache off, edge SIGSTOPped', ...d });
      await restartCity(city, { YY_RETRIEVAL_CACHE_BYTES: cacheOn, YY_PREFETCH_CONCURRENCY: '0' }, central[0] as SentInstance);
      await readSeries(city, distributed, IN_FLIGHT);
      const e = await measure(city, distributed, o.rounds, 'E cache');
      cases.push({ id: 'cache', title: 'E. City memory cache, edge frozen', setup: `cache on (default ${Number(cacheOn) / 2 ** 20} MiB), warmed by one read, edge SIGSTOPped`, ...e });
    } finally {
      city.resume([city.distributed.id]);
    }
    notes.push(
      'A and the distributed series are generated the same way (random pixels, so no storage layer can compress or deduplicate them).',
      'Time to first frame is cold for the series only in round 1 of each row: the operating system page cache is not dropped (no privileges on the shared machine).',
      'Row C is one round by nature: its first frame triggers the prefetch, which competes with the same series\' reads over the link.',
      'Rows D and E are read with the edge process frozen (SIGSTOP): any frame that still needed the edge would have failed with 503 and stopped the run.',
    );
  } finally {
    const stats = city.pair.link?.stats();
    await city.stop();
    const machine = describeMachine(o.work);
    const run = {
      startedAt, finishedAt: new Date(), command: `node bench/edge/run-edge.ts ${process.argv.slice(2).join(' ')}`.trim(),
      series: { instances: o.slices, ...SIZE, bytesPerFrame: SIZE.rows * SIZE.columns * 2 },
      link: { latencyMsEachWay: LATENCY_MS, mbitPerSecond: MBIT, bytesUp: stats?.up.bytes ?? 0, bytesDown: stats?.down.bytes ?? 0 },
      inFlight: IN_FLIGHT, cases, notes,
    };
    if (cases.length > 0) {
      const files = writeEdgeReport(join(BENCH, 'results'), run, machine);
      log(`wrote ${files.md} and ${files.json}`);
    }
    if (!o.keep) rmSync(dir, { recursive: true, force: true });
  }
}

await main();
