// The hospital edge checks of issue 5, on real processes: the city's nodes on the city nats-server, the
// two edges (one centralized, one distributed) on a hospital nats-server joined by a leaf connection,
// DCMTK's dcmsend as the hospital PACS. One city for the file, the steps in order:
// 1. 500 instances into the centralized edge while the city's node processes are frozen (SIGSTOP),
//    then resumed: every SOP Instance UID arrives exactly once, byte-identical, the PACS saw only
//    successes.
// 2. 500 more while the city's nats-server is frozen; once the link is back, the edge is SIGKILLed in
//    the middle of its upload and restarted: same checks.
// 3. A distributed-mode study: found by QIDO at the city, its metadata served with the edge frozen, a
//    frame with the edge frozen fails with 503 and a reason within the fetch timeout, frames come from
//    the edge on demand, and after the prefetch they are served with the edge frozen.
import test, { type ExecutionContext } from 'ava';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { getJson, tempDir, waitFor } from '../helpers/processes.ts';
import { CITY_NODES, TOKEN, edgeOnline, startEdgeCity, type EdgeCity, type EdgesBody } from './edge-city.ts';
import { dataSetBytes, dcmsendDir, framePixels, writeSeries, type SentInstance } from './edge-data.ts';
import { fetchFrame, fetchInstance, qidoInstances, seriesMetadata, tagValue } from './dicomweb-reads.ts';

const FETCH_TIMEOUT_SECONDS = 2;
/** What an answer may take beyond the fetch timeout (HTTP, the router's own work, a loaded machine). */
const TIMEOUT_MARGIN_MS = 1500;
const INSTANCES = 500;
const STUDIES = 5;

let city: EdgeCity;

test.before(async () => {
  city = await startEdgeCity('edge-cluster', {
    // Cache off: after the prefetch, a frame served with the edge frozen can only come from the city's copy.
    cityEnv: { YY_EDGE_FETCH_TIMEOUT_SECONDS: String(FETCH_TIMEOUT_SECONDS), YY_RETRIEVAL_CACHE_BYTES: '0', YY_PREFETCH_CONCURRENCY: '2' },
    // 2 MB/s: 500 instances of 32 KiB take ~8 s to upload, so "killed mid-upload" has a window.
    edgeEnv: { 'edge-c': { YY_EDGE_UPLOAD_BYTES_PER_SECOND: '2000000', YY_EDGE_UPLOAD_CONCURRENCY: '4' } },
  });
});

test.after.always(async () => { await city?.stop(); });

interface EdgeBody { queueDepth: number; failedItems: number; lastUploadAt?: number }

async function edgeStatus(port: number): Promise<EdgeBody> {
  const r = await getJson(`http://127.0.0.1:${port}/api/edge`, TOKEN);
  if (r.status !== 200) throw new Error(`GET /api/edge: ${r.status}`);
  return r.body as EdgeBody;
}

/** Instances of the given studies the city's QIDO lists (with repeats, if any). */
async function cityInstances(studies: readonly string[]): Promise<string[]> {
  const lists = await Promise.all(studies.map((s) => qidoInstances(city, s)));
  return lists.flat();
}

const studiesOf = (sent: readonly SentInstance[]) => [...new Set(sent.map((i) => i.studyInstanceUid))];

async function waitAllArrived(sent: readonly SentInstance[], timeoutMs: number): Promise<void> {
  const studies = studiesOf(sent);
  await waitFor(`all ${sent.length} instances at the city`, async () => ((await cityInstances(studies)).length >= sent.length ? true : undefined), timeoutMs, 500);
}

/** Every instance once in QIDO and in the series metadata, its stored data set identical to the file's. */
async function assertExactlyOnceAndIdentical(t: ExecutionContext, sent: readonly SentInstance[]): Promise<void> {
  const studies = studiesOf(sent);
  const listed = await cityInstances(studies);
  const expected = new Set(sent.map((i) => i.sopInstanceUid));
  t.is(listed.length, sent.length, 'QIDO lists each instance once');
  t.deepEqual(new Set(listed), expected, 'QIDO lists exactly the instances sent');
  for (const study of studies) {
    const first = sent.find((i) => i.studyInstanceUid === study);
    if (!first) continue;
    const meta = await seriesMetadata(city, study, first.seriesInstanceUid);
    t.is(meta.status, 200);
    const uids = Array.isArray(meta.value) ? meta.value.map((m) => String(tagValue(m, '00080018'))) : [];
    t.is(uids.length, sent.filter((i) => i.studyInstanceUid === study).length, 'series metadata holds each instance once');
  }
  const different: string[] = [];
  let next = 0;
  await Promise.all(Array.from({ length: 4 }, async () => {
    while (next < sent.length) {
      const instance = sent[next++];
      if (!instance) break;
      const got = await fetchInstance(city, instance);
      if (got.status !== 200 || !dataSetBytes(got.value).equals(dataSetBytes(readFileSync(instance.file)))) different.push(`${instance.sopInstanceUid}: ${got.status}`);
    }
  }));
  t.deepEqual(different, [], 'every instance read back by WADO-RS carries the data set the PACS sent, byte for byte');
}

async function waitQueueEmpty(edgeId: string, port: number): Promise<void> {
  await waitFor(`the ${edgeId} queue to drain`, async () => ((await edgeStatus(port)).queueDepth === 0 ? true : undefined), 60_000, 250);
  await waitFor(`the city to see the ${edgeId} queue empty`, async () => {
    const edges = (await city.api('/api/edges')).body as EdgesBody;
    return edges.edges.find((e) => e.edgeNode === edgeId)?.status?.queueDepth === 0 ? true : undefined;
  }, 30_000, 250);
}

test.serial('500 instances into the centralized edge while the city is frozen: each arrives once, byte-identical; the PACS saw only successes', async (t) => {
  t.timeout(400_000);
  const dir = tempDir('edge-frozen-city');
  const sent = writeSeries(join(dir, 'files'), { studies: STUDIES, perStudy: INSTANCES / STUDIES, rows: 128, columns: 128 }, 'F');
  const edge = city.centralized;
  const frozenAt = Date.now();
  city.freeze(CITY_NODES);
  let send;
  try {
    send = await dcmsendDir(join(dir, 'files'), { port: edge.dicomPort, aeTitle: edge.aeTitle });
    const during = await edgeStatus(edge.httpPort);
    t.log(`dcmsend done ${((Date.now() - frozenAt) / 1000).toFixed(1)} s into the freeze; edge queue depth ${during.queueDepth}`);
    t.true(during.queueDepth >= INSTANCES - 8, 'the edge accepted and queued while the city was frozen');
    // Let the edge time out and back off against the frozen city for a while.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, 8000 - (Date.now() - frozenAt))));
  } finally {
    city.resume(CITY_NODES);
  }
  t.is(send.exitCode, 0, send.report.slice(-800));
  t.is(send.success, INSTANCES, 'the PACS saw a success for every instance');
  t.is(send.notSuccess, 0);
  const resumedAt = Date.now();
  await waitAllArrived(sent, 240_000).catch((error: unknown) => { throw new Error(`${(error as Error).message}\n${city.logs()}`); });
  t.log(`all ${INSTANCES} at the city ${((Date.now() - resumedAt) / 1000).toFixed(1)} s after the city resumed`);
  await waitQueueEmpty(edge.id, edge.httpPort);
  // Late duplicates (an upload the frozen city confirmed after the edge had given up on it) show here.
  await new Promise((resolve) => setTimeout(resolve, 2000));
  await assertExactlyOnceAndIdentical(t, sent);
  t.is((await edgeStatus(edge.httpPort)).failedItems, 0, 'the city refused nothing');
});

test.serial('500 instances while the city nats-server is frozen, then the edge SIGKILLed mid-upload and restarted: each arrives once, byte-identical', async (t) => {
  t.timeout(400_000);
  const dir = tempDir('edge-killed');
  const sent = writeSeries(join(dir, 'files'), { studies: STUDIES, perStudy: INSTANCES / STUDIES, rows: 128, columns: 128 }, 'K');
  const edge = city.centralized;
  const studies = studiesOf(sent);
  const frozenAt = Date.now();
  city.pair.city.freeze();
  let send;
  try {
    send = await dcmsendDir(join(dir, 'files'), { port: edge.dicomPort, aeTitle: edge.aeTitle });
  } finally {
    city.pair.city.resume();
  }
  t.log(`dcmsend of ${INSTANCES} with the city nats-server frozen took ${((Date.now() - frozenAt) / 1000).toFixed(1)} s`);
  t.is(send.exitCode, 0, send.report.slice(-800));
  t.is(send.success, INSTANCES, 'the PACS saw a success for every instance');
  t.is(send.notSuccess, 0);
  const atKill = await waitFor('the upload to be under way', async () => {
    const n = (await cityInstances(studies)).length;
    return n >= 100 ? n : undefined;
  }, 120_000, 100);
  await city.kill(edge.id);
  t.log(`edge SIGKILLed with ${atKill} of ${INSTANCES} at the city`);
  t.true(atKill < INSTANCES, 'the edge was killed in the middle of the upload');
  const restartedAt = Date.now();
  city.start(edge.id);
  await waitFor('the restarted edge to report its queue', async () => edgeStatus(edge.httpPort), 60_000, 250)
    .then((s) => t.log(`after the restart the edge's queue holds ${s.queueDepth}`));
  await waitAllArrived(sent, 240_000).catch((error: unknown) => { throw new Error(`${(error as Error).message}\n${city.logs()}`); });
  t.log(`all ${INSTANCES} at the city ${((Date.now() - restartedAt) / 1000).toFixed(1)} s after the restart`);
  await waitQueueEmpty(edge.id, edge.httpPort);
  await new Promise((resolve) => setTimeout(resolve, 2000));
  await assertExactlyOnceAndIdentical(t, sent);
  t.is((await edgeStatus(edge.httpPort)).failedItems, 0, 'the city refused nothing');
});

test.serial('a distributed-mode study: QIDO and metadata at the city without the edge, frames from the edge on demand, 503 in time when it is frozen, served after the prefetch', async (t) => {
  t.timeout(300_000);
  const dir = tempDir('edge-distributed');
  const sent = writeSeries(join(dir, 'files'), { studies: 1, perStudy: 12, rows: 128, columns: 128, frames: 2 }, 'D');
  const edge = city.distributed;
  const [first] = sent;
  if (!first) throw new Error('no instance written');
  const send = await dcmsendDir(join(dir, 'files'), { port: edge.dicomPort, aeTitle: edge.aeTitle });
  t.is(send.success, sent.length, send.report.slice(-800));
  await waitAllArrived(sent, 120_000);
  t.deepEqual(new Set(await qidoInstances(city, first.studyInstanceUid)), new Set(sent.map((i) => i.sopInstanceUid)), 'QIDO at the city finds the study and its instances');

  city.freeze([edge.id]);
  try {
    const meta = await seriesMetadata(city, first.studyInstanceUid, first.seriesInstanceUid);
    t.is(meta.status, 200, 'series metadata with the edge frozen');
    t.is(Array.isArray(meta.value) ? meta.value.length : 0, sent.length);
    t.true(meta.ms < FETCH_TIMEOUT_SECONDS * 1000, `metadata took ${meta.ms.toFixed(0)} ms: it did not wait for the edge`);
    const frame = await fetchFrame(city, first, 1);
    const reason = frame.value.toString('utf8');
    t.log(`frame with the edge frozen: ${frame.status} in ${frame.ms.toFixed(0)} ms: ${reason.slice(0, 300)}`);
    t.is(frame.status, 503, 'a clear error, not a hang');
    t.true(frame.ms < FETCH_TIMEOUT_SECONDS * 1000 + TIMEOUT_MARGIN_MS, `answered in ${frame.ms.toFixed(0)} ms`);
    t.regex(reason, /edge|前置机|hospital|医院/i, 'the answer says why');
  } finally {
    city.resume([edge.id]);
  }
  await waitFor('the edge online again', async () => (edgeOnline((await city.api('/api/edges')).body, edge.id) ? true : undefined), 30_000, 250);

  const onDemand = await waitFor('a frame from the edge', async () => {
    const f = await fetchFrame(city, first, 1);
    return f.status === 200 ? f : undefined;
  }, 20_000, 250);
  t.is(onDemand.source, 'edge', 'the first frame came from the edge');
  t.true(onDemand.value.equals(framePixels(first, 1)), 'frame 1 byte-identical to the pixels sent');

  // With the cache off, "city" means the prefetched copy in the city's storage.
  const polls = await waitFor('every instance prefetched to the city', async () => {
    const sources = await Promise.all(sent.map(async (i) => (await fetchFrame(city, i, 2)).source));
    return sources.every((s) => s === 'city') ? sources : undefined;
  }, 60_000, 1000);
  t.is(polls.length, sent.length);

  city.freeze([edge.id]);
  try {
    const wrong: string[] = [];
    for (const instance of sent) {
      for (let n = 1; n <= instance.frames; n++) {
        const f = await fetchFrame(city, instance, n);
        if (f.status !== 200 || f.source !== 'city' || !f.value.equals(framePixels(instance, n))) wrong.push(`${instance.sopInstanceUid}/${n}: ${f.status} ${f.source}`);
      }
    }
    t.deepEqual(wrong, [], 'every frame served by the city with the edge frozen, byte-identical');
  } finally {
    city.resume([edge.id]);
  }
});
