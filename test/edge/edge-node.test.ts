// The edge node in process (startNode with the `edge` role, as bin/yunying.ts starts it) against a real
// nats-server of the test's own and the city's real receiver (services/edge-gateway serveEdgeUploads on
// a city archive in a temp dir: SQLite index, disk blob store, the one ingest path). DCMTK storescu plays
// the hospital PACS. Checked: a C-STORE success means the queue row is committed; uploads arrive
// byte-identical and once; a transient failure (no city receiver) is retried; a refusal (the city holds
// other bytes for the SOP) fails the row with its reason; the edge accepts while NATS is down and
// catches up after; distributed mode sends index entries, a thumbnail and the study report, and serves
// frame ranges to the city; heartbeat, metrics and GET /api/edge.
import test, { type ExecutionContext } from 'ava';
import { spawn } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { DatabaseSync } from 'node:sqlite';
import { connect, createInbox, type NatsConnection, type Subscription } from 'nats';
import { createSqliteEngine } from '../../adapters/index-sqlite/index.ts';
import { createIndexCatalog } from '../../lib/archive/index-catalog.ts';
import type { NodeArchive } from '../../lib/archive/node-archive.ts';
import { loadConfig } from '../../lib/config/load-config.ts';
import { resolveNode } from '../../lib/config/resolve-node.ts';
import { edgeSubjects, type FetchReply, type FetchRequest } from '../../lib/edge/edge-protocol.ts';
import type { IndexEngine } from '../../lib/index-model/index-engine.ts';
import { PLATFORM_SCHEMA } from '../../lib/index-model/platform-schema.ts';
import { ingestInstance } from '../../lib/ingest/ingest-instance.ts';
import type { IngestDeps } from '../../lib/ingest/ingest-types.ts';
import { serveEdgeUploads } from '../../services/edge-gateway/start-edge-gateway.ts';
import { startNode, type RunningNode } from '../../services/start-node.ts';
import { serveChunkTransfers } from '../../storage-nodes/nats-chunk-transfer.ts';
import { createDiskStore } from '../../storage-nodes/disk-store.ts';
import { loadTopology } from '../../topology/load-topology.ts';
import { findNode } from '../../topology/topology-queries.ts';
import type { StorageMode } from '../../topology/topology-types.ts';
import { buildDicom, newUid } from '../helpers/dicom-builder.ts';
import { freePort, getJson, startNats, tempDir, waitFor, type NatsServer } from '../helpers/processes.ts';
import { TIMEOUTS, dataSetOf } from '../dimse/dcmtk.ts';

const TOKEN = 'edge-node-test-token-0123456789abcdef';
const EDGE = 'edge-1';
const AE = 'EDGE-1';
const HOSPITAL = 'h1';

interface City {
  readonly archive: NodeArchive;
  readonly engine: IndexEngine;
  /** Starts serving the upload and control subjects (idempotent). */
  serve(): void;
  unserve(): void;
}

interface Fixture {
  readonly nats: NatsServer;
  readonly city: City;
  readonly edge: RunningNode;
  readonly dataDir: string;
  readonly dicomPort: number;
  readonly platformId: string;
  readonly cityConnection: NatsConnection;
}

function topologyYaml(platformId: string, natsUrl: string, mode: StorageMode, httpPort: number, dicomPort: number): string {
  return `
platform: { id: ${platformId}, level: city, name: 前置机单元测试 }
zones: [{ id: dc1, name: 一号数据中心 }]
nodes:
  - { id: city-1, zone: dc1, roles: [api, dimse, ingest, index, storage], http: { port: ${httpPort + 1} }, dicom: { port: ${dicomPort + 1}, aeTitle: YUNYING }, storage: { path: blobs, capacity: 1GiB } }
  - { id: ${EDGE}, zone: dc1, roles: [edge], hospital: ${HOSPITAL}, http: { port: ${httpPort} }, dicom: { port: ${dicomPort} } }
hospitals:
  - { id: ${HOSPITAL}, name: 测试医院, storageMode: ${mode}, edgeNode: ${EDGE} }
replication: { factor: 1 }
nats: { servers: ["${natsUrl}"] }
index: { engine: sqlite }
`;
}

async function startCity(t: ExecutionContext, nc: NatsConnection, platformId: string, topologyFile: string): Promise<City> {
  const dir = tempDir('edge-city');
  const engine = createSqliteEngine({ file: join(dir, 'index.sqlite'), schema: PLATFORM_SCHEMA });
  await engine.migrate();
  const catalog = createIndexCatalog(engine, { studyBuckets: 1 });
  const blobs = createDiskStore({ root: join(dir, 'blobs'), nodeId: 'city-1' });
  const deps: IngestDeps = { blobs, catalog, spoolDir: dir, replaceDuplicates: false, defaultCharacterSet: 'ISO_IR 100', maxObjectBytes: 1 << 30 };
  const archive: NodeArchive = { catalog, blobs, spoolDir: dir, ingest: (body, context) => ingestInstance(deps, body, context) };
  const quiet = { info: () => undefined, warn: () => undefined };
  let subs: Subscription[] = [];
  t.teardown(async () => { for (const s of subs) s.unsubscribe(); await engine.close(); });
  return {
    archive, engine,
    serve() {
      if (subs.length > 0) return;
      subs = serveEdgeUploads(nc, platformId, { topology: loadTopology(topologyFile), archive, engine, replaceDuplicates: false, emit: () => undefined, log: quiet });
    },
    unserve() { for (const s of subs) s.unsubscribe(); subs = []; },
  };
}

async function setup(t: ExecutionContext, mode: StorageMode, serving = true): Promise<Fixture> {
  const nats = await startNats();
  t.teardown(() => nats.stop());
  const platformId = `edge-unit-${randomUUID().slice(0, 8)}`;
  const dataDir = tempDir('edge-node');
  const [httpPort, dicomPort] = [await freePort(), await freePort()];
  const topologyFile = join(dataDir, 'topology.yaml');
  writeFileSync(topologyFile, topologyYaml(platformId, nats.url, mode, httpPort, dicomPort));
  const cityConnection = await connect({ servers: nats.url, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
  t.teardown(() => cityConnection.close());
  const city = await startCity(t, cityConnection, platformId, topologyFile);
  if (serving) city.serve();
  const config = loadConfig({
    YY_DATA_DIR: dataDir, YY_ADMIN_TOKEN: TOKEN, YY_LOG_LEVEL: 'warn', YY_REQUEST_TIMEOUT_SECONDS: '2',
    YY_EDGE_RETRY_BASE_SECONDS: '0.1', YY_EDGE_RETRY_MAX_SECONDS: '0.5', YY_EDGE_STUDY_STABLE_SECONDS: '0.5',
    YY_EDGE_HEARTBEAT_SECONDS: '0.5', YY_EDGE_UPLOAD_CONCURRENCY: '3',
  });
  const topology = loadTopology(topologyFile);
  const edge = await startNode(resolveNode(topology, findNode(topology, EDGE), config, dataDir), '0.0.0-test');
  t.teardown(() => edge.stop());
  return { nats, city, edge, dataDir, dicomPort, platformId, cityConnection };
}

/** Part 10 files of one series (8x8 16-bit pixels, so the thumbnail renders). */
function writeSeries(count: number, study = newUid(), series = newUid()): { files: string[]; sops: string[]; study: string } {
  const dir = tempDir('edge-pacs');
  const sops: string[] = [];
  const files = Array.from({ length: count }, (_, i) => {
    const sop = newUid();
    sops.push(sop);
    const file = join(dir, `${i}.dcm`);
    writeFileSync(file, buildDicom({
      attributes: { SOPClassUID: '1.2.840.10008.5.1.4.1.1.2', SOPInstanceUID: sop, StudyInstanceUID: study, SeriesInstanceUID: series, InstanceNumber: i + 1, Modality: 'CT' },
      pixels: { rows: 8, columns: 8, bitsAllocated: 16 },
    }));
    return file;
  });
  return { files, sops, study };
}

/** storescu as a child process the test awaits (the edge runs in this process: spawnSync would block it). */
function storescu(port: number, files: readonly string[]): Promise<{ status: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('storescu', [...TIMEOUTS, '-aec', AE, '127.0.0.1', String(port), ...files]);
    let out = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { out += d.toString(); });
    child.on('error', (error) => reject(new Error(`storescu is not installed: apt-get install -y dcmtk (${error.message})`)));
    child.on('close', (status) => resolve({ status, out }));
  });
}

interface Row { sop_uid: string; state: string; sha256: string; attempts: number; last_error: string | null }

/** The edge's queue as another process would read it: only committed rows are visible. */
function queueRows(dataDir: string): Map<string, Row> {
  const db = new DatabaseSync(join(dataDir, 'edge-queue.sqlite'), { readOnly: true });
  try {
    const rows = db.prepare('SELECT sop_uid, state, sha256, attempts, last_error FROM uploads').all() as unknown as Row[];
    return new Map(rows.map((r) => [r.sop_uid, r]));
  } finally {
    db.close();
  }
}

async function allUploaded(dataDir: string, sops: readonly string[], timeoutMs = 20_000): Promise<Map<string, Row>> {
  return waitFor('uploads', () => {
    const rows = queueRows(dataDir);
    return Promise.resolve(sops.every((s) => rows.get(s)?.state === 'uploaded') ? rows : undefined);
  }, timeoutMs, 100);
}

async function bytesOf(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** The city holds each instance with the bytes the edge stored, and its data set is what the PACS sent. */
async function assertAtCity(t: ExecutionContext, f: Fixture, files: readonly string[], sops: readonly string[], rows: Map<string, Row>): Promise<void> {
  for (const [i, sop] of sops.entries()) {
    const record = await f.city.archive.catalog.getInstance(sop);
    t.is(record?.sha256, rows.get(sop)?.sha256);
    const bytes = await bytesOf(await f.city.archive.blobs.open(record?.sha256 ?? ''));
    t.is(rows.get(sop)?.sha256, createHash('sha256').update(bytes).digest('hex'));
    t.true(bytes.subarray(bytes.length - dataSetOf(files[i] ?? '').length).equals(dataSetOf(files[i] ?? '')), 'the data set is byte-identical');
  }
}

test('centralized: C-STORE success means a committed queue row; the objects arrive byte-identical, once', async (t) => {
  const f = await setup(t, 'centralized', false);
  const { files, sops } = writeSeries(4);
  const sent = await storescu(f.dicomPort, files);
  t.is(sent.status, 0, sent.out);
  // Read right after the PACS saw success, before the city serves anything.
  const rows = queueRows(f.dataDir);
  for (const sop of sops) t.truthy(rows.get(sop), `row of ${sop}`);
  f.city.serve();
  const uploaded = await allUploaded(f.dataDir, sops);
  await assertAtCity(t, f, files, sops, uploaded);
  // Same objects again from the PACS: success, no new upload.
  t.is((await storescu(f.dicomPort, files)).status, 0);
  const again = queueRows(f.dataDir);
  for (const sop of sops) t.like(again.get(sop), { state: 'uploaded', sha256: uploaded.get(sop)?.sha256 });
});

test('a transient failure (no city receiver) is retried until the city takes the object', async (t) => {
  const f = await setup(t, 'centralized', false);
  const { files, sops } = writeSeries(1);
  t.is((await storescu(f.dicomPort, files)).status, 0);
  const sop = sops[0] ?? '';
  const failed = await waitFor('a failed attempt', () => {
    const row = queueRows(f.dataDir).get(sop);
    return Promise.resolve(row && row.attempts >= 1 ? row : undefined);
  }, 15_000);
  t.is(failed.state, 'pending');
  t.truthy(failed.last_error);
  t.is(await f.city.archive.catalog.getInstance(sop), undefined);
  f.city.serve();
  await assertAtCity(t, f, files, sops, await allUploaded(f.dataDir, sops));
});

test('a refusal by the city marks the row failed with its reason, shown by GET /api/edge', async (t) => {
  const f = await setup(t, 'centralized');
  const { files, sops, study } = writeSeries(1);
  const sop = sops[0] ?? '';
  // The city already holds this SOP Instance UID with other bytes.
  const other = buildDicom({ attributes: { SOPClassUID: '1.2.840.10008.5.1.4.1.1.2', SOPInstanceUID: sop, StudyInstanceUID: study, SeriesInstanceUID: newUid(), Modality: 'MR' } });
  t.is((await f.city.archive.ingest(Readable.from([other]), { source: 'import' })).status, 'stored');
  t.is((await storescu(f.dicomPort, files)).status, 0, 'the PACS still sees success');
  const row = await waitFor('the refusal', () => {
    const current = queueRows(f.dataDir).get(sop);
    return Promise.resolve(current?.state === 'failed' ? current : undefined);
  }, 15_000);
  t.regex(row.last_error ?? '', /duplicateConflict/);
  const base = `http://127.0.0.1:${f.edge.httpPort}`;
  t.is((await getJson(`${base}/api/edge`)).status, 401);
  const status = await getJson(`${base}/api/edge`, TOKEN);
  t.is(status.status, 200);
  t.like(status.body, { hospitalId: HOSPITAL, edgeNodeId: EDGE, storageMode: 'centralized', failedItems: 1, queueDepth: 0 });
  const failed = (status.body as { failed: { count: number; first: { sopInstanceUid: string; reason: string }[] } }).failed;
  t.is(failed.count, 1);
  t.is(failed.first[0]?.sopInstanceUid, sop);
  t.regex(failed.first[0]?.reason ?? '', /duplicateConflict/);
  // The operator's retry: refused again, since the city still holds other bytes.
  t.is((await fetch(`${base}/api/edge/retry-failed`, { method: 'POST' })).status, 401);
  const retry = await fetch(`${base}/api/edge/retry-failed`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } });
  t.deepEqual(await retry.json(), { requeued: 1 });
  const again = await waitFor('the second refusal', () => {
    const current = queueRows(f.dataDir).get(sop);
    return Promise.resolve(current?.state === 'failed' && Number(current.attempts) === 1 && current.last_error ? current : undefined);
  }, 15_000);
  t.regex(again.last_error ?? '', /duplicateConflict/);
});

test('the edge keeps accepting while NATS is down and catches up when it returns', async (t) => {
  const f = await setup(t, 'centralized');
  const first = writeSeries(2);
  t.is((await storescu(f.dicomPort, first.files)).status, 0);
  await allUploaded(f.dataDir, first.sops);
  f.nats.stop();
  const during = writeSeries(6);
  const sent = await storescu(f.dicomPort, during.files);
  t.is(sent.status, 0, sent.out);
  await new Promise((resolve) => setTimeout(resolve, 500));
  const rows = queueRows(f.dataDir);
  t.true(during.sops.every((s) => rows.get(s)?.state === 'pending'));
  await f.nats.restart();
  await assertAtCity(t, f, during.files, during.sops, await allUploaded(f.dataDir, during.sops, 30_000));
});

test('heartbeats reach the city; yunying_edge_* metrics are exported', async (t) => {
  const f = await setup(t, 'centralized');
  const { files, sops } = writeSeries(2);
  t.is((await storescu(f.dicomPort, files)).status, 0);
  await allUploaded(f.dataDir, sops);
  const base = `http://127.0.0.1:${f.edge.httpPort}`;
  const metrics = await waitFor('yunying_edge_up 1', async () => {
    const text = (await getJson(`${base}/metrics`)).body as string;
    return /^yunying_edge_up 1$/m.test(text) ? text : undefined;
  }, 10_000);
  t.regex(metrics, /^yunying_edge_queue_depth 0$/m);
  t.regex(metrics, /^yunying_edge_failed_items 0$/m);
  t.regex(metrics, /^yunying_edge_oldest_pending_seconds 0$/m);
  t.regex(metrics, /^yunying_edge_last_upload_timestamp_seconds [1-9]/m);
  t.regex(metrics, /^yunying_edge_uploaded_bytes_total [1-9]/m);
  t.regex(metrics, /^yunying_edge_disk_used_bytes [1-9]/m);
  t.regex(metrics, /^yunying_edge_disk_capacity_bytes [1-9]/m);
  // The city keeps the latest heartbeat's status: it shows the drained queue.
  const reported = await waitFor('a heartbeat with the drained queue', async () => {
    const row = await f.city.engine.get('edge_status', { scope: 'edges', hospital_id: HOSPITAL });
    const status = row ? JSON.parse(String(row.status)) as { queueDepth: number; lastUploadAt?: number; uploadedBytesTotal: number } : undefined;
    return status?.queueDepth === 0 && status.lastUploadAt !== undefined ? status : undefined;
  }, 10_000);
  t.like(reported, { edgeNodeId: EDGE, storageMode: 'centralized', failedItems: 0 });
  t.true(reported.uploadedBytesTotal > 0);
  f.nats.stop();
  await waitFor('yunying_edge_up 0', async () => (/^yunying_edge_up 0$/m.test((await getJson(`${base}/metrics`)).body as string) ? true : undefined), 10_000);
  t.pass();
});

/** Asks the edge for bytes of a blob, as the city's retrieval router does. */
async function fetchFromEdge(nc: NatsConnection, platformId: string, sha256: string, range?: { offset: number; length: number }): Promise<{ reply: FetchReply; bytes?: Buffer }> {
  const deliverTo = createInbox();
  const transferId = randomUUID();
  let resolveBytes: (b: Buffer) => void = () => undefined;
  const bytes = new Promise<Buffer>((resolve) => { resolveBytes = resolve; });
  const sub = serveChunkTransfers(nc, deliverTo, { window: 4, accept: async (meta, stream) => { if (meta.id === transferId) resolveBytes(await bytesOf(stream)); } });
  try {
    const request: FetchRequest = { sha256, deliverTo, transferId, ...(range ? { range } : {}) };
    const msg = await nc.request(edgeSubjects(platformId).fetch(HOSPITAL), Buffer.from(JSON.stringify(request)), { timeout: 5000 });
    const reply = JSON.parse(Buffer.from(msg.data).toString()) as FetchReply;
    return reply.ok ? { reply, bytes: await bytes } : { reply };
  } finally {
    sub.unsubscribe();
  }
}

test('distributed: index entries, a thumbnail and the study report go up; frames are served on request', async (t) => {
  const f = await setup(t, 'distributed');
  const { files, sops, study } = writeSeries(3);
  t.is((await storescu(f.dicomPort, files)).status, 0);
  const rows = await allUploaded(f.dataDir, sops);
  for (const sop of sops) {
    const record = await f.city.archive.catalog.getInstance(sop);
    t.is(record?.sha256, rows.get(sop)?.sha256, 'the city indexes the instance with the edge\'s hash');
    t.is(await f.city.archive.blobs.stat(record?.sha256 ?? ''), undefined, 'the pixels stay at the edge');
  }
  const arrival = await waitFor('the study report', () => f.city.engine.get('study_arrivals', { study_uid: study, hospital_id: HOSPITAL }), 15_000);
  t.is(arrival.instance_count, 3);
  const thumbnails = await f.city.engine.scan('series_thumbnails', { study_uid: study });
  t.is(thumbnails.rows.length, 1);
  t.is(thumbnails.rows[0]?.media_type, 'image/jpeg');

  const record = await f.city.archive.catalog.getInstance(sops[0] ?? '');
  const frame = record?.frames[0]?.[0];
  if (!record || !frame) throw new Error('no frame recorded');
  const whole = readFileSync(files[0] ?? '');
  const fetched = await fetchFromEdge(f.cityConnection, f.platformId, record.sha256, frame);
  t.deepEqual(fetched.reply, { ok: true, size: frame.length });
  const pixels = dataSetOf(files[0] ?? '');
  t.true(fetched.bytes?.equals(pixels.subarray(pixels.length - frame.length)), 'the frame bytes are the pixel data');
  t.true(whole.length > 0);
  const full = await fetchFromEdge(f.cityConnection, f.platformId, record.sha256);
  t.is(createHash('sha256').update(full.bytes ?? Buffer.alloc(0)).digest('hex'), record.sha256);
  t.like((await fetchFromEdge(f.cityConnection, f.platformId, 'f'.repeat(64))).reply, { ok: false, code: 'NOT_FOUND' });
  t.like((await fetchFromEdge(f.cityConnection, f.platformId, record.sha256, { offset: record.size, length: 10 })).reply, { ok: false, code: 'INVALID_RANGE' });
});
