// Pass-through end to end, in real processes: a second Yunying node plays a hospital PACS without an edge
// (filled by STOW-RS); two city nodes register it as a remote source, one over DICOMweb and one over
// DIMSE. A study the city does not know is fetched on the first retrieval (WADO-RS; C-GET by DCMTK's
// getscu) and served byte-identical to what the hospital holds; an unknown study stays a 404 / an empty
// C-GET; with the hospital stopped, a study not yet fetched fails quickly with a 503 naming the reason
// (C-GET: a failure status) while a fetched one is still served from the city.
import test from 'ava';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildDicom, newUid } from '../helpers/dicom-builder.ts';
import { freePort, startYunying, tempDir, waitFor, type NodeProcess } from '../helpers/processes.ts';
import { stow, stowBody } from '../dicomweb/dicomweb-server.ts';
import { TIMEOUTS, dataSetOf, dcmtk } from '../dimse/dcmtk.ts';

const HOSPITAL_TOKEN = 'hospital-pacs-token-0123456789';
const CITY_TOKEN = 'city-admin-token-0123456789abc';
const DICOM_ACCEPT = 'multipart/related; type="application/dicom"; transfer-syntax=*';

interface Node { readonly process: NodeProcess; readonly http: number; readonly dicom: number }
interface Study { readonly study: string; readonly series: string; readonly objects: readonly Buffer[]; readonly sops: readonly string[] }

interface Fixture {
  readonly hospital: Node;
  readonly cityWeb: Node;
  readonly cityDimse: Node;
  /** A: WADO-RS via the DICOMweb city; B: C-GET via the DIMSE city; C: never fetched before the hospital stops. */
  readonly a: Study;
  readonly b: Study;
  readonly c: Study;
  /** D: asked for by several clients at once. */
  readonly d: Study;
}

let fixture: Fixture | undefined;

function f(): Fixture {
  if (!fixture) throw new Error('the fixture did not start');
  return fixture;
}

function makeStudy(modality: string, syntaxes: readonly string[]): Study {
  const study = newUid();
  const series = newUid();
  const sops = syntaxes.map(() => newUid());
  const objects = syntaxes.map((transferSyntax, i) => buildDicom({
    transferSyntax,
    attributes: { StudyInstanceUID: study, SeriesInstanceUID: series, SOPInstanceUID: sops[i] ?? '', InstanceNumber: i + 1, Modality: modality, PatientID: 'P-REMOTE' },
    pixels: { rows: 16, columns: 16, bitsAllocated: 16 },
  }));
  return { study, series, objects, sops };
}

const sha = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** A city of one embedded node whose topology registers the hospital as a remote source. */
function cityTopology(http: number, dicom: number, remote: string): string {
  return `platform: { id: city-test, level: embedded, name: 测试市 }
zones: [{ id: local, name: local }]
nodes:
  - id: city
    zone: local
    roles: [api, dimse, ingest, index, storage]
    http: { port: ${http} }
    dicom: { port: ${dicom}, aeTitle: CITY }
    storage: { path: blobs, capacity: 1TiB }
hospitals:
  - id: h1
    name: 无前置机医院
    storageMode: distributed
    remote:
${remote}
replication: { factor: 1 }
index: { engine: sqlite }
`;
}

async function startNode(env: Record<string, string>, args: readonly string[] = []): Promise<Node> {
  const [http, dicom] = [await freePort(), await freePort()];
  const child = startYunying(args, { YY_DATA_DIR: tempDir('remote-node'), YY_HTTP_PORT: String(http), YY_DICOM_PORT: String(dicom), ...env });
  await waitFor(`node on ${http}`, async () => {
    if (child.child.exitCode !== null) throw new Error(`node exited: ${child.stderr()}`);
    return (await fetch(`http://127.0.0.1:${http}/health`).then((r) => r.ok, () => false)) ? true : undefined;
  }, 30_000, 200);
  return { process: child, http, dicom };
}

async function startCity(remote: string): Promise<Node> {
  const dir = tempDir('remote-city-topology');
  const [http, dicom] = [await freePort(), await freePort()];
  const file = join(dir, 'city.yaml');
  writeFileSync(file, cityTopology(http, dicom, remote));
  return startNode({ YY_ADMIN_TOKEN: CITY_TOKEN, YY_EDGE_FETCH_TIMEOUT_SECONDS: '2', REMOTE_H1_TOKEN: HOSPITAL_TOKEN }, ['--topology', file]);
}

test.before(async () => {
  const hospital = await startNode({ YY_ADMIN_TOKEN: HOSPITAL_TOKEN });
  const explicit = '1.2.840.10008.1.2.1';
  const a = makeStudy('CT', [explicit, '1.2.840.10008.1.2', explicit]);
  const b = makeStudy('MR', [explicit, explicit, explicit]);
  const c = makeStudy('CR', [explicit]);
  const d = makeStudy('DX', [explicit, explicit]);
  const base = `http://127.0.0.1:${hospital.http}/dicom-web`;
  for (const s of [a, b, c, d]) {
    const stored = await stow(base, stowBody(s.objects), undefined, '/studies', { authorization: `Bearer ${HOSPITAL_TOKEN}` });
    if (stored.status !== 200) throw new Error(`STOW into the hospital failed: ${stored.status}`);
  }
  const cityWeb = await startCity(`      dicomweb: { url: "${base}", tokenEnv: REMOTE_H1_TOKEN }`);
  const cityDimse = await startCity(`      dimse: { aeTitle: YUNYING, host: 127.0.0.1, port: ${hospital.dicom}, callingAeTitle: CITYGET }`);
  fixture = { hospital, cityWeb, cityDimse, a, b, c, d };
});

test.after.always(() => {
  for (const node of [fixture?.hospital, fixture?.cityWeb, fixture?.cityDimse]) node?.process.child.kill('SIGKILL');
});

async function cityGet(node: Node, path: string, accept = DICOM_ACCEPT): Promise<Response> {
  return fetch(`http://127.0.0.1:${node.http}/dicom-web${path}`, { headers: { authorization: `Bearer ${CITY_TOKEN}`, accept } });
}

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
  }
  return parts;
}

function getscu(node: Node, study: string, out: string, timeouts: readonly string[] = TIMEOUTS) {
  mkdirSync(out, { recursive: true });
  return dcmtk('getscu', [...timeouts, '-aet', 'GETSCU', '-aec', 'CITY', '-S', '+B', '-od', out, '-k', 'QueryRetrieveLevel=STUDY', '-k', `StudyInstanceUID=${study}`, '127.0.0.1', String(node.dicom)]);
}

async function metricsText(node: Node, token = CITY_TOKEN): Promise<string> {
  return (await fetch(`http://127.0.0.1:${node.http}/metrics`, { headers: { authorization: `Bearer ${token}` } })).text();
}

/** WADO-RS answers the hospital served (its own retrieval metrics). */
async function hospitalWadoCount(hospital: Node): Promise<number> {
  const match = /yunying_retrieval_duration_seconds_count\{[^}]*kind="instance"[^}]*\} (\d+)/.exec(await metricsText(hospital, HOSPITAL_TOKEN));
  return Number(match?.[1] ?? 0);
}

test.serial('WADO-RS at the city fetches an unknown study from a DICOMweb remote and serves it byte-identical', async (t) => {
  const { cityWeb, a } = f();
  const first = await cityGet(cityWeb, `/studies/${a.study}`);
  t.is(first.status, 200);
  t.is(first.headers.get('x-yunying-source'), 'remote');
  t.deepEqual((await multipartParts(first)).map(sha).sort(), a.objects.map(sha).sort());
  // Now the city has it: the next answer comes from the city, metadata included.
  const again = await cityGet(cityWeb, `/studies/${a.study}`);
  t.is(again.status, 200);
  t.is(again.headers.get('x-yunying-source'), 'city');
  await again.arrayBuffer();
  const metadata = await cityGet(cityWeb, `/studies/${a.study}/series/${a.series}/metadata`, 'application/dicom+json');
  t.is(metadata.status, 200);
  t.is(((await metadata.json()) as unknown[]).length, a.objects.length);
  t.regex(await metricsText(cityWeb), /yunying_retrieval_duration_seconds_count\{[^}]*source="remote"[^}]*\} 1/);
});

test.serial('C-GET at the city fetches an unknown study from a DIMSE remote (C-FIND + C-GET) and returns it byte-identical', async (t) => {
  const { cityDimse, b } = f();
  const out = join(tempDir('remote-getscu'), 'b');
  const got = getscu(cityDimse, b.study, out);
  t.is(got.status, 0, got.out);
  const received = readdirSync(out).map((n) => dataSetOf(join(out, n))).map(sha).sort();
  const dir = tempDir('remote-originals');
  const originals = b.objects.map((bytes, i) => { const file = join(dir, `${i}.dcm`); writeFileSync(file, bytes); return sha(dataSetOf(file)); }).sort();
  t.deepEqual(received, originals);
  // The city stored the objects: WADO-RS of one instance serves its data set unchanged.
  const one = await cityGet(cityDimse, `/studies/${b.study}/series/${b.series}/instances/${b.sops[0] ?? ''}`, 'application/dicom');
  t.is(one.status, 200);
  const stored = Buffer.from(await one.arrayBuffer());
  const storedFile = join(dir, 'stored.dcm');
  writeFileSync(storedFile, stored);
  t.true(originals.includes(sha(dataSetOf(storedFile))));
});

test.serial('concurrent retrievals of one unknown study share one fetch from the hospital', async (t) => {
  const { hospital, cityWeb, d } = f();
  const before = await hospitalWadoCount(hospital);
  const answers = await Promise.all(Array.from({ length: 6 }, async () => {
    const response = await cityGet(cityWeb, `/studies/${d.study}`);
    return { status: response.status, parts: (await multipartParts(response)).map(sha).sort() };
  }));
  for (const answer of answers) {
    t.is(answer.status, 200);
    t.deepEqual(answer.parts, d.objects.map(sha).sort());
  }
  t.is(await hospitalWadoCount(hospital) - before, 1);
});

test.serial('a study no source has is a 404 over DICOMweb and an empty C-GET over DIMSE', async (t) => {
  const { cityWeb, cityDimse } = f();
  const unknown = newUid();
  const missing = await cityGet(cityWeb, `/studies/${unknown}`);
  t.is(missing.status, 404);
  t.is((await cityGet(cityWeb, `/studies/${unknown}/metadata`, 'application/dicom+json')).status, 404);
  const out = join(tempDir('remote-getscu'), 'unknown');
  const got = getscu(cityDimse, unknown, out);
  t.is(got.status, 0, got.out);
  t.is(readdirSync(out).length, 0);
});

test.serial('with the hospital frozen, a study not yet fetched fails within the timeout (503 / C-GET failure)', async (t) => {
  const { hospital, cityWeb, cityDimse, c } = f();
  hospital.process.child.kill('SIGSTOP');
  try {
    const started = performance.now();
    const frozen = await cityGet(cityWeb, `/studies/${c.study}/metadata`, 'application/dicom+json');
    const seconds = (performance.now() - started) / 1000;
    t.is(frozen.status, 503);
    const problem = await frozen.json() as { detail: string; outcome: string };
    t.is(problem.outcome, 'sourceUnavailable');
    t.regex(problem.detail, /no answer within 2 s/);
    t.true(seconds >= 1.5 && seconds < 6, `answered in ${seconds.toFixed(2)} s`);
    const out = join(tempDir('remote-getscu'), 'frozen');
    const got = getscu(cityDimse, c.study, out, ['-to', '15', '-ta', '15', '-td', '15']);
    t.regex(got.out, /DIMSE status is: Refused: OutOfResourcesSubOperations/, got.out);
    t.is(readdirSync(out).length, 0);
  } finally {
    hospital.process.child.kill('SIGCONT');
  }
});

test.serial('with the hospital stopped, a study not yet fetched fails at once with the reason; fetched ones are still served', async (t) => {
  const { hospital, cityWeb, cityDimse, a, c } = f();
  hospital.process.child.kill('SIGKILL');
  await hospital.process.exited;
  const started = performance.now();
  const down = await cityGet(cityWeb, `/studies/${c.study}`);
  const seconds = (performance.now() - started) / 1000;
  t.is(down.status, 503);
  t.truthy(down.headers.get('retry-after'));
  const problem = await down.json() as { detail: string; outcome: string };
  t.is(problem.outcome, 'sourceUnavailable');
  t.regex(problem.detail, /h1/);
  t.regex(problem.detail, /ECONNREFUSED/);
  t.true(seconds < 5, `answered in ${seconds.toFixed(2)} s`);
  const out = join(tempDir('remote-getscu'), 'down');
  const got = getscu(cityDimse, c.study, out);
  // A702: Refused, out of resources, unable to perform sub-operations (sourceUnavailable).
  t.regex(got.out, /DIMSE status is: Refused: OutOfResourcesSubOperations/, got.out);
  t.is(readdirSync(out).length, 0);
  const cached = await cityGet(cityWeb, `/studies/${a.study}`);
  t.is(cached.status, 200);
  t.is((await multipartParts(cached)).length, a.objects.length);
});
