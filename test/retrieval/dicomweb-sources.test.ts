// DICOMweb answers through the retrieval router (in-process Fastify with the real DICOMweb plugin, a
// real nats-server and the edge node's fetch server): each answer says where it came from
// (X-Yunying-Source, the source label of the retrieval metrics), a frame asked twice comes from the
// cache, and an edge that does not answer becomes 503 with the reason and Retry-After within the
// timeout, also for multipart answers and WADO-URI, never a hang. The series thumbnail an edge
// uploaded is served as stored.
import test from 'ava';
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import Fastify, { type FastifyInstance } from 'fastify';
import { connect, type NatsConnection } from 'nats';
import { Registry } from 'prom-client';
import type { InstanceRecord } from '../../lib/archive/catalog.ts';
import { edgeSubjects } from '../../lib/edge/edge-protocol.ts';
import { edgeSource } from '../../lib/edge/edge-schema.ts';
import { BLOB_LOCATIONS_TABLE, blobLocationRow, readBlobLocations } from '../../lib/retrieval/blob-locations.ts';
import { createFrameCache } from '../../lib/retrieval/frame-cache.ts';
import { createRoutedBlobStore } from '../../lib/retrieval/routed-blob-store.ts';
import { createRetrievalMetrics } from '../../monitoring/retrieval-metrics.ts';
import { createDicomwebPlugin } from '../../services/dicomweb/dicomweb-plugin.ts';
import { serveFetches } from '../../services/edge/fetch-server.ts';
import { createNatsEdgeFetcher } from '../../services/retrieval/nats-edge-fetcher.ts';
import { buildDicom, newUid } from '../helpers/dicom-builder.ts';
import { startNats, type NatsServer } from '../helpers/processes.ts';
import { openArchiveSide, type ArchiveSide } from './archive-side.ts';

const TOKEN = 'retrieval-test-token-0123456789';
const AUTH = { authorization: `Bearer ${TOKEN}` };
const TIMEOUT_MS = 1000;
const LIVE = 'h-live';
const FROZEN = 'h-frozen';
const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };

interface Fixture {
  readonly nats: NatsServer;
  readonly ncs: NatsConnection[];
  readonly city: ArchiveSide;
  readonly edge: ArchiveSide;
  readonly app: FastifyInstance;
  readonly registry: Registry;
  readonly thumbnails: Map<string, { sha256: string; size: number; mediaType: string }>;
}

let fixture: Fixture | undefined;
const f = (): Fixture => { if (!fixture) throw new Error('no fixture'); return fixture; };

test.before(async () => {
  const platformId = `t${randomUUID().slice(0, 8)}`;
  const nats = await startNats();
  const [cityNc, edgeNc] = [await connect({ servers: nats.url }), await connect({ servers: nats.url })];
  const [city, edge] = [await openArchiveSide('city'), await openArchiveSide('edge')];
  serveFetches(edgeNc, { platformId, hospitalId: LIVE, blobs: edge.blobs, idleTimeoutMs: 5000, log: silent });
  // A frozen edge: its fetch subject has a subscriber that never answers.
  edgeNc.subscribe(edgeSubjects(platformId).fetch(FROZEN), { callback: () => undefined });
  await edgeNc.flush();
  const cache = createFrameCache({ maxBytes: 1 << 20, maxItemBytes: 1 << 16 });
  const registry = new Registry();
  const metrics = createRetrievalMetrics(registry);
  const blobs = createRoutedBlobStore({
    city: city.blobs, locate: (s) => readBlobLocations(city.engine, s),
    fetchers: { edge: createNatsEdgeFetcher({ nc: cityNc, platformId, timeoutMs: TIMEOUT_MS }) },
    ...(cache ? { cache } : {}), onCacheLookup: (result) => metrics.cacheRequests.inc({ result }),
  });
  const thumbnails: Fixture['thumbnails'] = new Map();
  const app = Fastify();
  await app.register(createDicomwebPlugin({
    archive: { ...city.archive, blobs }, adminToken: TOKEN, retrievalMetrics: metrics, log: silent, countError: () => undefined,
    seriesThumbnail: (study, series) => Promise.resolve(thumbnails.get(`${study}/${series}`)),
    options: { crossOriginIsolation: false, retryAfterSeconds: 1 },
  }), { prefix: '/dicom-web' });
  await app.ready();
  fixture = { nats, ncs: [cityNc, edgeNc], city, edge, app, registry, thumbnails };
});

test.after.always(async () => {
  if (!fixture) return;
  await fixture.app.close();
  await Promise.allSettled(fixture.ncs.map((nc) => nc.close()));
  await Promise.allSettled([fixture.city.close(), fixture.edge.close()]);
  fixture.nats.stop();
});

/** A series of two-frame native instances ingested at `side`; their records. */
async function series(side: ArchiveSide, count: number): Promise<InstanceRecord[]> {
  const [study, seriesUid] = [newUid(), newUid()];
  const records: InstanceRecord[] = [];
  for (let i = 0; i < count; i++) {
    const sop = newUid();
    const object = buildDicom({
      attributes: { StudyInstanceUID: study, SeriesInstanceUID: seriesUid, SOPInstanceUID: sop, Modality: 'CT', InstanceNumber: i + 1, PhotometricInterpretation: 'MONOCHROME2' },
      pixels: { rows: 16, columns: 16, frames: 2 },
    });
    const result = await side.archive.ingest(Readable.from([object]), { source: 'import' });
    if (result.status === 'rejected') throw new Error(result.reason);
    const record = await side.archive.catalog.getInstance(sop);
    if (!record) throw new Error('not indexed');
    records.push(record);
  }
  return records;
}

/** What the gateway does for a distributed hospital's index upload: a location, then the index entry. */
async function indexAtCity(records: readonly InstanceRecord[], hospitalId: string): Promise<void> {
  for (const r of records) {
    await f().city.engine.write([{
      kind: 'put', table: BLOB_LOCATIONS_TABLE, row: blobLocationRow({
        sha256: r.sha256, source: edgeSource(hospitalId), kind: 'edge', hospitalId, nodeId: `edge-${hospitalId}`,
        studyInstanceUid: r.studyInstanceUid, seriesInstanceUid: r.seriesInstanceUid, sopInstanceUid: r.sopInstanceUid, size: r.size,
      }, new Date()),
    }]);
    await f().city.archive.catalog.recordInstance(r, { replace: false });
  }
}

const instanceUrl = (r: InstanceRecord) => `/dicom-web/studies/${r.studyInstanceUid}/series/${r.seriesInstanceUid}/instances/${r.sopInstanceUid}`;

function getFrame(r: InstanceRecord, frame = 1) {
  return f().app.inject({ method: 'GET', url: `${instanceUrl(r)}/frames/${frame}`, headers: { ...AUTH, accept: 'application/octet-stream' } });
}

async function frameBytes(side: ArchiveSide, r: InstanceRecord, frame = 1): Promise<Buffer> {
  const range = r.frames[frame - 1]?.[0];
  const chunks: Buffer[] = [];
  for await (const c of await side.blobs.open(r.sha256, range)) chunks.push(Buffer.from(c as Uint8Array));
  return Buffer.concat(chunks);
}

async function metricValue(name: string, labels: Readonly<Record<string, string>>): Promise<number> {
  const metric = f().registry.getSingleMetric(name);
  const values = (await metric?.get())?.values ?? [];
  return values.filter((v) => Object.entries(labels).every(([k, want]) => String((v.labels as Record<string, unknown>)[k]) === want))
    .reduce((sum, v) => sum + v.value, 0);
}

test.serial('a frame in the city says city, the same frame again says cache; the metrics carry the source', async (t) => {
  const [record] = await series(f().city, 1);
  if (!record) return t.fail();
  const first = await getFrame(record);
  t.is(first.statusCode, 200);
  t.is(first.headers['x-yunying-source'], 'city');
  t.deepEqual(first.rawPayload, await frameBytes(f().city, record));
  const again = await getFrame(record);
  t.is(again.headers['x-yunying-source'], 'cache');
  t.deepEqual(again.rawPayload, first.rawPayload);
  t.is(await metricValue('yunying_retrieval_cache_requests_total', { result: 'hit' }), 1);
  t.true(await metricValue('yunying_retrieval_bytes_total', { source: 'cache' }) >= first.rawPayload.length);
  t.is(await metricValue('yunying_retrieval_duration_seconds', { source: 'cache', kind: 'frame', le: '+Inf' }), 1);
  return undefined;
});

test.serial('a frame held by a hospital edge comes from the edge, byte-identical, and says so', async (t) => {
  const records = await series(f().edge, 1);
  await indexAtCity(records, LIVE);
  const [record] = records;
  if (!record) return t.fail();
  const answer = await getFrame(record, 2);
  t.is(answer.statusCode, 200);
  t.is(answer.headers['x-yunying-source'], 'edge');
  t.deepEqual(answer.rawPayload, await frameBytes(f().edge, record, 2));
  t.true(await metricValue('yunying_retrieval_bytes_total', { source: 'edge' }) >= answer.rawPayload.length);
  const whole = await f().app.inject({ method: 'GET', url: instanceUrl(record), headers: { ...AUTH, accept: 'application/dicom' } });
  t.is(whole.statusCode, 200);
  t.is(whole.headers['x-yunying-source'], 'edge');
  t.is(whole.rawPayload.length, record.size);
  return undefined;
});

test.serial('an edge that does not answer: 503 with the reason and Retry-After within the timeout, for single and multipart answers and WADO-URI', async (t) => {
  const records = await series(f().edge, 2);
  await indexAtCity(records, FROZEN);
  const [record] = records;
  if (!record) return t.fail();
  const asks = [
    { url: `${instanceUrl(record)}/frames/1`, accept: 'application/octet-stream' },
    { url: `${instanceUrl(record)}/frames/1,2`, accept: 'multipart/related; type="application/octet-stream"; transfer-syntax=*' },
    { url: `/dicom-web/studies/${record.studyInstanceUid}/series/${record.seriesInstanceUid}`, accept: 'multipart/related; type="application/dicom"' },
    { url: `${instanceUrl(record)}/rendered`, accept: 'image/jpeg' },
    { url: `/dicom-web/wado?requestType=WADO&studyUID=${record.studyInstanceUid}&seriesUID=${record.seriesInstanceUid}&objectUID=${record.sopInstanceUid}&contentType=application/dicom`, accept: '*/*' },
  ];
  for (const ask of asks) {
    const started = performance.now();
    const answer = await f().app.inject({ method: 'GET', url: ask.url, headers: { ...AUTH, accept: ask.accept, 'accept-language': 'en' } });
    const elapsed = performance.now() - started;
    t.is(answer.statusCode, 503, ask.url);
    t.is(answer.headers['retry-after'], '1');
    t.is(answer.headers['x-yunying-source'], undefined);
    const body = answer.json<{ outcome: string; detail: string }>();
    t.is(body.outcome, 'sourceUnavailable');
    t.regex(body.detail, /h-frozen.*did not answer/);
    t.true(elapsed < TIMEOUT_MS * 3, `${Math.round(elapsed)} ms`);
  }
  const zh = await f().app.inject({ method: 'GET', url: asks[0]?.url ?? '', headers: { ...AUTH, accept: 'application/octet-stream' } });
  t.regex(zh.json<{ detail: string }>().detail, /前置机/);
  return undefined;
});

test.serial('the series thumbnail an edge uploaded is served as stored for a default request', async (t) => {
  const records = await series(f().edge, 1);
  await indexAtCity(records, LIVE);
  const [record] = records;
  if (!record) return t.fail();
  const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 9, 8, 7, 6, 0xff, 0xd9]);
  const sha256 = (await import('node:crypto')).createHash('sha256').update(jpeg).digest('hex');
  await f().city.blobs.put({ sha256, size: jpeg.length, open: () => Readable.from([jpeg]) });
  f().thumbnails.set(`${record.studyInstanceUid}/${record.seriesInstanceUid}`, { sha256, size: jpeg.length, mediaType: 'image/jpeg' });
  const url = `/dicom-web/studies/${record.studyInstanceUid}/series/${record.seriesInstanceUid}/thumbnail`;
  const stored = await f().app.inject({ method: 'GET', url, headers: { ...AUTH, accept: 'image/jpeg' } });
  t.is(stored.statusCode, 200);
  t.is(stored.headers['content-type'], 'image/jpeg');
  t.deepEqual(stored.rawPayload, jpeg);
  t.is(stored.headers['x-yunying-source'], 'city');
  const rendered = await f().app.inject({ method: 'GET', url: `${url}?viewport=32,32`, headers: { ...AUTH, accept: 'image/jpeg' } });
  t.notDeepEqual(rendered.rawPayload, jpeg, 'other parameters: rendered from the pixels');
  return undefined;
});
