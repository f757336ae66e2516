// The city side of hospital edges over a real nats-server, in-process: the gateway serving uploads and
// control requests on a city archive (SQLite index, volume store), an edge built from the edge node's
// own fetch server (services/edge/fetch-server.ts) on an edge archive of the same kind, and the
// retrieval router with the NATS edge fetcher and the series prefetch in between.
import test from 'ava';
import { createHash, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { connect, type NatsConnection } from 'nats';
import type { InstanceRecord } from '../../lib/archive/catalog.ts';
import { BlobStoreError } from '../../lib/blob-store/blob-store.ts';
import { edgeSubjects, parseRefusal, toUploadedIndex, type EdgeControlReply, type EdgeControlRequest, type EdgeStatus } from '../../lib/edge/edge-protocol.ts';
import { readBlobLocations } from '../../lib/retrieval/blob-locations.ts';
import { createRoutedBlobStore } from '../../lib/retrieval/routed-blob-store.ts';
import { sourceOf } from '../../lib/retrieval/retrieval-source.ts';
import { readSeriesThumbnail } from '../../lib/retrieval/series-thumbnails.ts';
import { createSeriesPrefetch } from '../../lib/retrieval/series-prefetch.ts';
import { serveFetches } from '../../services/edge/fetch-server.ts';
import { listEdges } from '../../services/edge-gateway/edges-route.ts';
import { serveEdgeUploads } from '../../services/edge-gateway/start-edge-gateway.ts';
import { createNatsEdgeFetcher } from '../../services/retrieval/nats-edge-fetcher.ts';
import { sendChunked } from '../../storage-nodes/nats-chunk-transfer.ts';
import { loadTopology } from '../../topology/load-topology.ts';
import type { Topology } from '../../topology/topology-types.ts';
import { buildDicom, newUid } from '../helpers/dicom-builder.ts';
import { startNats, type NatsServer } from '../helpers/processes.ts';
import { openArchiveSide, type ArchiveSide } from '../retrieval/archive-side.ts';

const CITY_TOPOLOGY = join(import.meta.dirname, '..', '..', 'topology', 'examples', 'city.yaml');
const HOSPITAL = 'h420102';
const EDGE_NODE = 'edge-h420102';
const TIMEOUT_MS = 1000;
const silent = { info: () => undefined, warn: () => undefined };

let nats: NatsServer;
const connections: NatsConnection[] = [];
const closers: (() => Promise<void>)[] = [];
test.before(async () => { nats = await startNats(); });
test.after.always(async () => {
  await Promise.allSettled(connections.map((c) => c.close()));
  await Promise.allSettled(closers.map((c) => c()));
  nats?.stop();
});

type Side = ArchiveSide;

async function openSide(name: string): Promise<Side> {
  const side = await openArchiveSide(name);
  closers.push(() => side.close());
  return side;
}

async function natsClient(): Promise<NatsConnection> {
  const nc = await connect({ servers: nats.url });
  connections.push(nc);
  return nc;
}

interface World {
  readonly platformId: string;
  readonly topology: Topology;
  readonly city: Side;
  readonly edge: Side;
  readonly cityNc: NatsConnection;
  readonly edgeNc: NatsConnection;
  readonly events: { event: string; payload: Readonly<Record<string, unknown>> }[];
}

/** A city gateway and an edge archive on a platform id of this test's own (tests share the server). */
async function world(): Promise<World> {
  const base = loadTopology(CITY_TOPOLOGY);
  const platformId = `t${randomUUID().slice(0, 8)}`;
  const topology: Topology = { ...base, platform: { ...base.platform, id: platformId } };
  const [city, edge, cityNc, edgeNc] = await Promise.all([openSide('city'), openSide('edge'), natsClient(), natsClient()]);
  const events: World['events'] = [];
  serveEdgeUploads(cityNc, platformId, {
    topology, archive: city.archive, engine: city.engine, replaceDuplicates: false, log: silent,
    emit: (event, payload) => events.push({ event, payload }),
  });
  await cityNc.flush();
  return { platformId, topology, city, edge, cityNc, edgeNc, events };
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** A series of `count` native two-frame instances, stored at the edge; their index records. */
async function seriesAtEdge(w: World, count: number): Promise<InstanceRecord[]> {
  const [study, series] = [newUid(), newUid()];
  const records: InstanceRecord[] = [];
  for (let i = 0; i < count; i++) {
    const sop = newUid();
    const object = buildDicom({
      attributes: { StudyInstanceUID: study, SeriesInstanceUID: series, SOPInstanceUID: sop, Modality: 'CT', InstanceNumber: i + 1 },
      pixels: { rows: 16, columns: 16, frames: 2 },
    });
    const result = await w.edge.archive.ingest(Readable.from([object]), { source: 'c-store' });
    if (result.status === 'rejected') throw new Error(result.reason);
    const record = await w.edge.archive.catalog.getInstance(sop);
    if (!record) throw new Error('not indexed at the edge');
    records.push(record);
  }
  return records;
}

function upload(w: World, kind: 'object' | 'index' | 'thumbnail', body: Buffer, ids: { study: string; series: string; sop?: string }, options: { sha256?: string; edgeNodeId?: string } = {}): Promise<void> {
  return sendChunked(w.edgeNc, edgeSubjects(w.platformId).upload, {
    id: randomUUID(), sha256: options.sha256 ?? sha256(body), size: body.length,
    attributes: {
      kind, hospitalId: HOSPITAL, edgeNodeId: options.edgeNodeId ?? EDGE_NODE, studyInstanceUid: ids.study, seriesInstanceUid: ids.series,
      ...(ids.sop ? { sopInstanceUid: ids.sop } : {}),
    },
  }, Readable.from([body]), 5000);
}

const uploadIndex = (w: World, r: InstanceRecord, options: { sha256?: string } = {}) =>
  upload(w, 'index', Buffer.from(JSON.stringify(toUploadedIndex(r))), { study: r.studyInstanceUid, series: r.seriesInstanceUid, sop: r.sopInstanceUid }, options);

async function read(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.from(c as Uint8Array));
  return Buffer.concat(chunks);
}

async function edgeBytes(w: World, r: InstanceRecord, range?: { offset: number; length: number }): Promise<Buffer> {
  return read(await w.edge.blobs.open(r.sha256, range));
}

function router(w: World) {
  const locate = (s: string) => readBlobLocations(w.city.engine, s);
  const fetcher = createNatsEdgeFetcher({ nc: w.cityNc, platformId: w.platformId, timeoutMs: TIMEOUT_MS });
  const prefetch = createSeriesPrefetch({ catalog: w.city.archive.catalog, city: w.city.blobs, locate, fetcher, concurrency: 2, spoolDir: w.city.archive.spoolDir });
  const blobs = createRoutedBlobStore({ city: w.city.blobs, locate, fetchers: { edge: fetcher }, onServedOutside: (l) => prefetch.schedule(l) });
  return { blobs, prefetch };
}

function serveEdge(w: World) {
  return serveFetches(w.edgeNc, { platformId: w.platformId, hospitalId: HOSPITAL, blobs: w.edge.blobs, idleTimeoutMs: 5000, log: silent });
}

test('an uploaded index makes the instance visible; its frames come from the edge, then from the city after the prefetch with the edge gone', async (t) => {
  const w = await world();
  const records = await seriesAtEdge(w, 3);
  for (const r of records) await uploadIndex(w, r);
  const [first, second] = records;
  if (!first || !second) return t.fail();
  const indexed = await w.city.archive.catalog.getInstance(first.sopInstanceUid);
  t.is(indexed?.sha256, first.sha256);
  t.deepEqual(indexed?.frames, first.frames);
  const found = await w.city.archive.catalog.search({
    level: 'instance', root: 'study', matchers: [{ kind: 'UidList', tag: '0020000D', uids: [first.studyInstanceUid] }],
    includeFields: [], fuzzyMatching: false, limit: 0, offset: 0,
  });
  t.is(found.matches.length, 3, 'QIDO at the city finds every instance');
  t.deepEqual((await w.city.archive.catalog.seriesMetadata(first.studyInstanceUid, first.seriesInstanceUid)).length, 3, 'metadata without the edge');
  const locations = await readBlobLocations(w.city.engine, first.sha256);
  t.deepEqual(locations.map((l) => [l.kind, l.hospitalId, l.nodeId, l.sopInstanceUid]), [['edge', HOSPITAL, EDGE_NODE, first.sopInstanceUid]]);
  t.is(await w.city.blobs.stat(first.sha256), undefined, 'the pixels stay at the edge');
  // A retried upload of the same index is a duplicate: still one instance.
  await uploadIndex(w, first);
  t.is((await w.city.archive.catalog.listInstances(first.studyInstanceUid)).length, 3);

  const fetches = serveEdge(w);
  await w.edgeNc.flush();
  const { blobs, prefetch } = router(w);
  const frame = first.frames[1]?.[0];
  if (!frame) return t.fail('no frame range');
  const stream = await blobs.open(first.sha256, frame);
  t.is(sourceOf(stream), 'edge');
  t.deepEqual(await read(stream), await edgeBytes(w, first, frame));
  await prefetch.idle();
  for (const r of records) t.truthy(await w.city.blobs.stat(r.sha256), 'prefetched into the city');
  fetches.unsubscribe();
  await w.edgeNc.flush();
  const frame2 = second.frames[0]?.[0];
  if (!frame2) return t.fail('no frame range');
  const fromCity = await blobs.open(second.sha256, frame2);
  t.is(sourceOf(fromCity), 'city', 'served by the city with the edge gone');
  t.deepEqual(await read(fromCity), await edgeBytes(w, second, frame2));
  t.deepEqual(await read(await blobs.open(second.sha256)), await edgeBytes(w, second), 'the whole object, byte-identical');
  return undefined;
});

test('an edge that does not answer gives UNAVAILABLE within the timeout; one not connected at once', async (t) => {
  const w = await world();
  const [record] = await seriesAtEdge(w, 1);
  if (!record) return t.fail();
  await uploadIndex(w, record);
  const { blobs } = router(w);
  let started = performance.now();
  const absent = await t.throwsAsync(blobs.open(record.sha256, { offset: 0, length: 10 }), { instanceOf: BlobStoreError });
  t.is(absent.code, 'UNAVAILABLE');
  t.regex(absent.message, /h420102.*not connected/);
  t.true(performance.now() - started < TIMEOUT_MS, 'no responders: no wait');
  // Frozen: the request reaches a subscriber that never answers.
  w.edgeNc.subscribe(edgeSubjects(w.platformId).fetch(HOSPITAL), { callback: () => undefined });
  await w.edgeNc.flush();
  started = performance.now();
  const frozen = await t.throwsAsync(blobs.open(record.sha256, { offset: 0, length: 10 }), { instanceOf: BlobStoreError });
  const elapsed = performance.now() - started;
  t.is(frozen.code, 'UNAVAILABLE');
  t.regex(frozen.message, /h420102.*did not answer.*1 s/);
  t.true(elapsed >= TIMEOUT_MS * 0.9 && elapsed < TIMEOUT_MS * 3, `${Math.round(elapsed)} ms`);
  return undefined;
});

test('an upload whose bytes do not match its hash is refused and nothing becomes visible', async (t) => {
  const w = await world();
  const [record] = await seriesAtEdge(w, 1);
  if (!record) return t.fail();
  const wrong = sha256(Buffer.from('other bytes'));
  const index = await t.throwsAsync(uploadIndex(w, record, { sha256: wrong }));
  t.is(parseRefusal(index.message)?.outcome, 'processingFailure');
  t.is(await w.city.archive.catalog.getInstance(record.sopInstanceUid), undefined);
  t.deepEqual(await readBlobLocations(w.city.engine, record.sha256), []);
  const object = await edgeBytes(w, record);
  const ids = { study: record.studyInstanceUid, series: record.seriesInstanceUid, sop: record.sopInstanceUid };
  const refused = await t.throwsAsync(upload(w, 'object', object, ids, { sha256: wrong }));
  t.regex(parseRefusal(refused.message)?.reason ?? '', /hash mismatch/);
  t.is(await w.city.archive.catalog.getInstance(record.sopInstanceUid), undefined);
  t.is(await w.city.blobs.stat(record.sha256), undefined, 'the bytes were not stored');
  const stranger = await t.throwsAsync(upload(w, 'object', object, ids, { edgeNodeId: 'edge-h420101' }));
  t.is(parseRefusal(stranger.message)?.outcome, 'notAuthorized', 'another hospital\'s edge cannot upload for this one');
  // The right bytes with the right hash go through the ingest path (centralized mode), once.
  await upload(w, 'object', object, ids);
  await upload(w, 'object', object, ids);
  t.is((await w.city.archive.catalog.getInstance(record.sopInstanceUid))?.sha256, record.sha256);
  t.truthy(await w.city.blobs.stat(record.sha256));
  t.is((await w.city.archive.catalog.listInstances(record.studyInstanceUid)).length, 1);
  return undefined;
});

async function control(w: World, request: EdgeControlRequest): Promise<EdgeControlReply> {
  const msg = await w.edgeNc.request(edgeSubjects(w.platformId).control, Buffer.from(JSON.stringify(request)), { timeout: 5000 });
  return JSON.parse(Buffer.from(msg.data).toString()) as EdgeControlReply;
}

test('heartbeats show in the edges list; a study is complete once every listed instance is indexed; thumbnails are kept', async (t) => {
  const w = await world();
  const status: EdgeStatus = {
    hospitalId: HOSPITAL, edgeNodeId: EDGE_NODE, storageMode: 'distributed', version: 'test', queueDepth: 3, oldestPendingSeconds: 1.5,
    failedItems: 0, uploadedBytesTotal: 1234, disk: { usedBytes: 10, freeBytes: 90, capacityBytes: 100 }, reportedAt: Date.now(),
  };
  const before = await listEdges(w.topology, w.city.engine, 5);
  t.false(before.find((e) => e.hospitalId === HOSPITAL)?.online);
  t.deepEqual(await control(w, { type: 'heartbeat', status }), { ok: true, type: 'heartbeat' });
  t.false((await control(w, { type: 'heartbeat', status: { ...status, edgeNodeId: 'edge-h420101' } })).ok, 'a heartbeat from another node is refused');
  const edges = await listEdges(w.topology, w.city.engine, 5);
  const mine = edges.find((e) => e.hospitalId === HOSPITAL);
  t.true(mine?.online);
  t.is(mine?.status?.queueDepth, 3);
  t.is(mine?.storageMode, 'distributed');
  t.false(edges.find((e) => e.hospitalId === 'h420101')?.online, 'the other edge never reported');
  t.false((await listEdges(w.topology, w.city.engine, 5, Date.now() + 16_000)).find((e) => e.hospitalId === HOSPITAL)?.online, 'offline after three missed heartbeats');

  const records = await seriesAtEdge(w, 2);
  const [first, second] = records;
  if (!first || !second) return t.fail();
  await uploadIndex(w, first);
  const sops = records.map((r) => r.sopInstanceUid);
  const request = { type: 'study-complete', hospitalId: HOSPITAL, edgeNodeId: EDGE_NODE, studyInstanceUid: first.studyInstanceUid, sopInstanceUids: sops } as const;
  t.deepEqual(await control(w, request), { ok: true, type: 'study-complete', complete: false, missing: [second.sopInstanceUid] });
  t.deepEqual(w.events, []);
  await uploadIndex(w, second);
  t.deepEqual(await control(w, request), { ok: true, type: 'study-complete', complete: true, missing: [] });
  t.deepEqual(w.events, [{ event: 'edge.studyComplete', payload: { hospitalId: HOSPITAL, studyInstanceUid: first.studyInstanceUid, instanceCount: 2 } }]);
  t.is((await w.city.engine.get('study_arrivals', { study_uid: first.studyInstanceUid, hospital_id: HOSPITAL }))?.instance_count, 2);

  const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 4, 0xff, 0xd9]);
  await upload(w, 'thumbnail', jpeg, { study: first.studyInstanceUid, series: first.seriesInstanceUid });
  const thumbnail = await readSeriesThumbnail(w.city.engine, first.studyInstanceUid, first.seriesInstanceUid);
  t.is(thumbnail?.sha256, sha256(jpeg));
  t.deepEqual(await read(await w.city.blobs.open(sha256(jpeg))), jpeg);
  return undefined;
});
