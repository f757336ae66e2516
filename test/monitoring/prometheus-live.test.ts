// A real cluster under a real Prometheus: an api+index node (also dimse and repair) on the real
// Cassandra, two storage-only nodes in two zones (storage-2 beyond loopback, so scraped with the token)
// and an edge-role node, over a real NATS. Debian's prometheus scrapes them with the configuration
// generated from the topology (1 s scrape and evaluation) under STOW-RS, WADO-RS and DIMSE traffic;
// every query of every dashboard panel must return a series (pending-panels.ts lists the exceptions);
// a killed storage node makes YunyingNodeDown fire.
import test from 'ava';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, networkInterfaces } from 'node:os';
import { join } from 'node:path';
import cassandra from 'cassandra-driver';
import dicomParser from 'dicom-parser';
import { parseDocument } from 'yaml';
import { buildDashboards } from '../../monitoring/grafana/build-dashboards.ts';
import { dashboardQueries } from '../../monitoring/grafana/dashboard-model.ts';
import { freePort, getJson, ROOT, startNats, startYunying, tempDir, waitFor, type NatsServer, type NodeProcess } from '../helpers/processes.ts';
import { baseMetric } from './promql-names.ts';
import { PENDING_PANELS } from './pending-panels.ts';

const CONTACT_POINT = process.env.YY_CASSANDRA_CONTACT_POINTS ?? '127.0.0.1:9042';
const LOCAL_DC = process.env.YY_CASSANDRA_LOCAL_DC ?? 'datacenter1';
const TOKEN = 'monitoring-live-test-token-0123';
const NODES = ['api-1', 'storage-1', 'storage-2', 'edge-1'] as const;
/** What Grafana's $__rate_interval becomes here: four 1 s scrapes and some slack. */
const RATE_INTERVAL = '10s';
const CT_SMALL = '/usr/lib/python3/dist-packages/pydicom/data/test_files/CT_small.dcm';
/** What the hospital PACS sends to its edge: another instance than the city receives directly. */
const MR_SMALL = '/usr/lib/python3/dist-packages/pydicom/data/test_files/MR_small.dcm';
/**
 * storage-2 listens on this machine's own (non-loopback) address, so Prometheus must scrape it with the
 * token (the generated `yunying-token` job), as nodes beyond loopback are scraped in production.
 */
const EXTERNAL_HOST = Object.values(networkInterfaces()).flat().find((i) => i?.family === 'IPv4' && !i.internal)?.address;
const hostOf = (id: string) => (id === 'storage-2' ? EXTERNAL_HOST : '127.0.0.1');

interface Cluster {
  readonly nats: NatsServer;
  readonly dir: string;
  readonly ports: Record<(typeof NODES)[number], number>;
  readonly dicomPort: number;
  readonly edgeDicomPort: number;
  readonly nodes: Map<string, NodeProcess>;
  prometheus?: ChildProcess;
  promUrl?: string;
}
let cluster: Cluster | undefined;
const keyspace = `yy_test_monitoring_${process.pid}_${Date.now() % 100000}`;
const client = new cassandra.Client({ contactPoints: [CONTACT_POINT], localDataCenter: LOCAL_DC });

function topology(natsUrl: string, ports: Cluster['ports'], dicomPorts: { api: number; edge: number }): string {
  return `
platform: { id: test-monitoring, level: city, name: 监控测试 }
zones: [{ id: dc1, name: 一号数据中心 }, { id: dc2, name: 二号数据中心 }]
nodes:
  - { id: api-1, zone: dc1, roles: [api, index, dimse, ingest, repair], http: { port: ${ports['api-1']} }, dicom: { port: ${dicomPorts.api}, aeTitle: YUNYING } }
  - { id: storage-1, zone: dc1, roles: [storage], http: { port: ${ports['storage-1']} }, storage: { path: blobs, capacity: 1GiB } }
  - { id: storage-2, zone: dc2, roles: [storage], http: { host: ${EXTERNAL_HOST}, port: ${ports['storage-2']} }, storage: { path: blobs, capacity: 2GiB } }
  - { id: edge-1, zone: dc1, roles: [edge], http: { port: ${ports['edge-1']} }, dicom: { port: ${dicomPorts.edge}, aeTitle: EDGE1 }, hospital: h1 }
hospitals:
  - { id: h1, name: 测试医院, storageMode: centralized, edgeNode: edge-1 }
replication: { factor: 2 }
nats: { servers: ["${natsUrl}"] }
index:
  engine: cassandra
  cassandra: { contactPoints: ["${CONTACT_POINT}"], localDataCenter: ${LOCAL_DC}, keyspace: ${keyspace}, replication: { ${LOCAL_DC}: 1 } }
`;
}

function started(): Cluster {
  if (!cluster) throw new Error('the cluster did not start (see the before hook)');
  return cluster;
}

async function promQuery(expr: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
  const url = `${started().promUrl ?? ''}/api/v1/query?query=${encodeURIComponent(expr)}`;
  const { status, body } = await getJson(url);
  const answer = body as { status: string; error?: string; data?: { result: { metric: Record<string, string>; value: [number, string] }[] } };
  if (status !== 200 || answer.status !== 'success') throw new Error(`Prometheus refused ${expr}: ${answer.error ?? status}`);
  return answer.data?.result ?? [];
}

/** What Grafana sends for "All" in every template variable, and its rate interval. */
function asGrafanaSends(expr: string): string {
  return expr.replace(/\$__rate_interval/g, RATE_INTERVAL).replace(/\$(platform|zone|node|hospital)\b/g, '.*');
}

/** A STOW-RS body: the real CT and one part that is no DICOM at all (a rejection to count). */
function stowBody(): { body: Buffer; type: string } {
  const boundary = 'yunying-monitoring-test';
  const parts = [readFileSync(CT_SMALL), Buffer.from('not a DICOM file')].map((bytes) => Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Type: application/dicom\r\n\r\n`), bytes, Buffer.from('\r\n'),
  ]));
  return { body: Buffer.concat([...parts, Buffer.from(`--${boundary}--\r\n`)]), type: `multipart/related; type="application/dicom"; boundary=${boundary}` };
}

function ctUids(): { study: string; series: string; instance: string } {
  const data = dicomParser.parseDicom(new Uint8Array(readFileSync(CT_SMALL)));
  return { study: data.string('x0020000d') ?? '', series: data.string('x0020000e') ?? '', instance: data.string('x00080018') ?? '' };
}

/**
 * HTTP on every node, plus what the archive, DICOMweb and DIMSE parts measure once they are wired
 * (STOW-RS, WADO-RS frames and metadata, C-ECHO and C-STORE): until then these requests are refused
 * or answered 404, and their panels stay in pending-panels.ts.
 */
async function driveTraffic(ports: Cluster['ports'], dicomPort: number, edgeDicomPort: number): Promise<string> {
  const api = `http://127.0.0.1:${ports['api-1']}`;
  const auth = { authorization: `Bearer ${TOKEN}` };
  const { study, series, instance } = ctUids();
  const stow = stowBody();
  // Right after start-up the storage cluster may not know every storage node yet: retry until the CT is
  // stored (ReferencedSOPSequence) or give up after a while and let the panels tell.
  const stowAnswer = await waitFor('STOW-RS to store the CT', async () => {
    const stored = await fetch(`${api}/dicom-web/studies`, { method: 'POST', headers: { ...auth, 'content-type': stow.type, accept: 'application/dicom+json' }, body: stow.body });
    const text = await stored.text();
    return text.includes('"00081199"') ? `STOW-RS ${stored.status}: the CT stored, the other part rejected` : undefined;
  }, 15_000, 1000).catch((error: Error) => error.message);
  const dimse = ['-to', '3', '-ta', '3', '-td', '3', '-aec', 'YUNYING', '127.0.0.1', String(dicomPort)];
  spawnSync('echoscu', dimse, { stdio: 'ignore' });
  spawnSync('storescu', [...dimse, CT_SMALL], { stdio: 'ignore' });
  // The hospital PACS sends to its edge, which uploads to the city's ingest (the edge panels).
  const toEdge = spawnSync('storescu', ['-to', '3', '-ta', '3', '-td', '3', '-aec', 'EDGE1', '127.0.0.1', String(edgeDicomPort), MR_SMALL], { encoding: 'utf8' });
  if (toEdge.status !== 0) return `storescu into the edge failed: ${toEdge.stdout}${toEdge.stderr}`;
  const edgeUpload = await waitFor('the edge to upload the MR to the city', async () => {
    const edge = (await getJson(`http://127.0.0.1:${ports['edge-1']}/api/edge`, TOKEN)).body as { queueDepth?: number; lastUploadAt?: number };
    return edge.queueDepth === 0 && edge.lastUploadAt !== undefined ? 'the edge uploaded the MR to the city' : undefined;
  }, 30_000, 250).catch(async (error: Error) => `${error.message}: ${JSON.stringify((await getJson(`http://127.0.0.1:${ports['edge-1']}/api/edge`, TOKEN)).body)}`);
  for (let i = 0; i < 5; i += 1) {
    await getJson(`${api}/api/cluster`, TOKEN);
    await getJson(`${api}/api/cluster`);
    await getJson(`${api}/no-such-route`);
    const base = `${api}/dicom-web/studies/${study}/series/${series}`;
    for (const path of [`${base}/metadata`, `${base}/instances/${instance}/frames/1`, `${base}/instances/${instance}`]) {
      await (await fetch(path, { headers: { ...auth, accept: '*/*' } })).arrayBuffer();
    }
    for (const id of NODES) await getJson(`http://${hostOf(id) ?? ''}:${ports[id]}/health`, TOKEN);
  }
  return `${stowAnswer}; ${edgeUpload}`;
}

test.before(async (t) => {
  const begun = Date.now();
  await client.connect().catch((error: Error) => {
    throw new Error(`Cassandra is not reachable at ${CONTACT_POINT} (start it with npm run services:up): ${error.message}`);
  });
  if (spawnSync('prometheus', ['--version']).error) throw new Error('prometheus is not installed: apt-get install -y prometheus');
  if (!EXTERNAL_HOST) throw new Error('this machine has no non-loopback IPv4 address for the node scraped with a token');
  const nats = await startNats();
  const dir = tempDir('monitoring-live');
  const ports = { 'api-1': await freePort(), 'storage-1': await freePort(), 'storage-2': await freePort(), 'edge-1': await freePort() };
  const file = join(dir, 'topology.yaml');
  const dicomPort = await freePort();
  const edgeDicomPort = await freePort();
  writeFileSync(file, topology(nats.url, ports, { api: dicomPort, edge: edgeDicomPort }));
  const start = (id: string) => startYunying(['--topology', file, '--node', id], {
    YY_DATA_DIR: join(dir, id), YY_ADMIN_TOKEN: TOKEN, YY_HEARTBEAT_INTERVAL_SECONDS: '0.5', YY_HEARTBEAT_TIMEOUT_SECONDS: '3',
  });
  cluster = { nats, dir, ports, dicomPort, edgeDicomPort, nodes: new Map(NODES.map((id) => [id, start(id)])) };
  // Generous: a fresh keyspace is migrated first, and the machine is shared with the whole team.
  await waitFor('four nodes healthy', async () => {
    const view = (await getJson(`http://127.0.0.1:${ports['api-1']}/api/cluster`, TOKEN)).body as { nodes?: { health?: { status: string } }[] };
    return view.nodes?.length === NODES.length && view.nodes.every((n) => n.health?.status === 'ok') ? true : undefined;
  }, 90_000, 250).catch((error: Error) => {
    const logs = [...(cluster?.nodes ?? [])].map(([id, n]) => `--- ${id} (exit ${String(n.child.exitCode)}):\n${n.stderr().slice(-1500)}`);
    throw new Error(`${error.message}\n${logs.join('\n')}`);
  });
  t.log(`cluster healthy ${((Date.now() - begun) / 1000).toFixed(1)} s after the first start (load average ${loadavg()[0]?.toFixed(1) ?? '?'})`);
});

test.after.always(async () => {
  if (cluster) {
    cluster.prometheus?.kill('SIGKILL');
    for (const n of cluster.nodes.values()) n.child.kill('SIGKILL');
    cluster.nats.stop();
  }
  await client.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`).catch(() => undefined);
  await client.shutdown();
  // The TSDB and the nodes' blobs: the disk is shared with the team.
  if (cluster) rmSync(cluster.dir, { recursive: true, force: true, maxRetries: 3 });
});

test.serial('promtool check metrics is clean on every kind of node, which exports only agreed yunying_ names', async (t) => {
  const { ports } = started();
  for (const id of NODES) {
    const url = `http://${hostOf(id) ?? ''}:${ports[id]}/metrics`;
    if (id === 'storage-2') t.is((await fetch(url)).status, 401, 'beyond loopback /metrics needs the token');
    const text = await (await fetch(url, { headers: { authorization: `Bearer ${TOKEN}` } })).text();
    const result = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    t.falsy(result.error, 'promtool is not installed: apt-get install -y prometheus');
    t.is(result.status, 0, `${id}: ${result.stdout}${result.stderr}`);
    t.regex(text, /^nodejs_eventloop_lag_p99_seconds \d/m, id);
    t.regex(text, /^process_resident_memory_bytes \d/m, id);
    t.regex(text, /^yunying_dependency_up\{dependency="nats"\} 1$/m, `${id}: dependencies are probed at scrape time`);
    t.regex(text, /^yunying_node_info\{roles="[a-z,]+",version="[^"]+"\} 1$/m, id);
    const names = new Set([...text.matchAll(/^# TYPE (yunying_\S+)/gm)].map((m) => m[1] ?? ''));
    t.deepEqual([...names].filter((n) => baseMetric(n) === undefined), [], `${id}: metrics missing from monitoring/agreed-metrics.ts`);
  }
});

async function startPrometheus(t: { log(...v: unknown[]): void }): Promise<void> {
  const c = started();
  const out = join(c.dir, 'prometheus');
  const generated = spawnSync(process.execPath, ['--disable-warning=ExperimentalWarning', join(ROOT, 'scripts', 'gen-prometheus-config.ts'),
    '--topology', join(c.dir, 'topology.yaml'), '--out', out, '--scrape-interval', '1s', '--evaluation-interval', '1s'], { encoding: 'utf8' });
  if (generated.status !== 0) throw new Error(`gen-prometheus-config failed: ${generated.stderr}`);
  // Test-only override: the real rule waits 1 minute; the same rule with a 2 s `for` keeps the test short.
  const rulesFile = join(out, 'rules', 'nodes.yml');
  const doc = parseDocument(readFileSync(rulesFile, 'utf8'));
  const rules = doc.getIn(['groups', 0, 'rules']) as { items: { get(k: string): unknown; set(k: string, v: unknown): void }[] };
  rules.items.find((r) => r.get('alert') === 'YunyingNodeDown')?.set('for', '2s');
  writeFileSync(rulesFile, doc.toString());
  writeFileSync(join(out, 'yunying-token'), `${TOKEN}\n`, { mode: 0o600 });
  const check = spawnSync('promtool', ['check', 'config', join(out, 'prometheus.yml')], { encoding: 'utf8' });
  if (check.status !== 0) throw new Error(`promtool check config: ${check.stdout}${check.stderr}`);

  const port = await freePort();
  c.promUrl = `http://127.0.0.1:${port}`;
  let log = '';
  c.prometheus = spawn('prometheus', [`--config.file=${join(out, 'prometheus.yml')}`, `--storage.tsdb.path=${join(c.dir, 'tsdb')}`,
    `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'], { stdio: ['ignore', 'ignore', 'pipe'] });
  c.prometheus.stderr?.on('data', (chunk: Buffer) => { log += chunk.toString(); });
  await waitFor('Prometheus ready', async () => ((await fetch(`${c.promUrl ?? ''}/-/ready`)).ok ? true : undefined), 20_000, 200)
    .catch((error: Error) => { throw new Error(`${error.message}\n${log}`); });
  t.log(`prometheus on ${c.promUrl}, config from ${out}`);
}

test.serial('every query of every dashboard panel returns a series from the real Prometheus', async (t) => {
  await startPrometheus(t);
  const { ports, dicomPort, edgeDicomPort } = started();
  await waitFor('every target scraped', async () => {
    const up = await promQuery('up{job="yunying"} == 1');
    return up.length === NODES.length ? true : undefined;
  }, 20_000, 250);
  const traffic = await driveTraffic(ports, dicomPort, edgeDicomPort);
  t.log(traffic);
  t.regex(traffic, /the edge uploaded the MR/, 'the edge took the PACS C-STORE and uploaded it to the city');
  // Rates need two samples inside the window after the traffic.
  await waitFor('rates of the traffic', async () => ((await promQuery(`sum(rate(yunying_http_request_duration_seconds_count{job="yunying"}[${RATE_INTERVAL}])) > 0`)).length > 0 ? true : undefined), 15_000, 250);
  await new Promise((resolve) => setTimeout(resolve, 2000));

  const targets = await promQuery('up{job="yunying"}');
  t.is(targets.find((s) => s.metric.node === 'storage-2')?.metric.instance, `${EXTERNAL_HOST ?? ''}:${ports['storage-2']}`, 'scraped beyond loopback, with the token');
  t.deepEqual(targets.map((s) => [s.metric.node, s.metric.zone, s.metric.role, s.metric.hospital ?? '']).sort(), [
    ['api-1', 'dc1', 'api,dimse,index,ingest,repair', ''], ['edge-1', 'dc1', 'edge', 'h1'], ['storage-1', 'dc1', 'storage', ''], ['storage-2', 'dc2', 'storage', ''],
  ]);

  const seen = new Set<string>();
  const empty: string[] = [];
  const nowWithData: string[] = [];
  for (const [file, text] of buildDashboards()) {
    const dashboard = JSON.parse(text) as { uid: string; templating: { list: { name: string; definition?: string }[] } };
    for (const { panel, expr } of dashboardQueries(dashboard)) {
      const key = `${dashboard.uid}/${panel}`;
      seen.add(key);
      const series = await promQuery(asGrafanaSends(expr));
      const pending = PENDING_PANELS[key];
      if (pending === undefined && series.length === 0) empty.push(`${key}: ${expr}`);
      if (pending !== undefined && series.length > 0) nowWithData.push(`${key} (was pending: ${pending})`);
    }
    for (const variable of dashboard.templating.list.filter((v) => v.definition)) {
      const match = /^label_values\((.+), (\w+)\)$/.exec(variable.definition ?? '');
      t.truthy(match, `${file}: $${variable.name}`);
      const values = await promQuery(`count by (${match?.[2] ?? ''}) (${asGrafanaSends(match?.[1] ?? '')})`);
      t.true(values.length >= 1, `${file}: variable $${variable.name} has no values`);
    }
  }
  t.deepEqual(empty, [], 'panels without a series');
  t.deepEqual(nowWithData, [], 'pending panels that return data now: remove them from test/monitoring/pending-panels.ts');
  t.deepEqual(Object.keys(PENDING_PANELS).filter((k) => !seen.has(k)), [], 'pending panels that no dashboard has');
  const slowest = await promQuery('max_over_time(scrape_duration_seconds{job="yunying"}[1m])');
  t.log(`slowest scrape per node: ${slowest.map((x) => `${x.metric.node ?? '?'} ${Number(x.value[1]).toFixed(3)} s`).sort().join(', ')}`);
  t.log(`${seen.size} panels, ${seen.size - Object.keys(PENDING_PANELS).length} with data, ${Object.keys(PENDING_PANELS).length} pending`);
});

test.serial('a stopped storage node makes YunyingNodeDown fire with its labels', async (t) => {
  const c = started();
  t.truthy(c.promUrl, 'Prometheus runs (previous test)');
  const stoppedAt = Date.now();
  c.nodes.get('storage-2')?.child.kill('SIGKILL');
  type Alert = { labels: Record<string, string>; annotations: Record<string, string>; state: string };
  const alert = await waitFor('YunyingNodeDown firing', async () => {
    const body = (await getJson(`${c.promUrl ?? ''}/api/v1/alerts`)).body as { data: { alerts: Alert[] } };
    return body.data.alerts.find((a) => a.labels.alertname === 'YunyingNodeDown' && a.state === 'firing');
  }, 30_000, 250);
  t.log(`fired ${((Date.now() - stoppedAt) / 1000).toFixed(1)} s after SIGKILL (scrape 1 s, for 2 s in this test; 1 m in production)`);
  t.like(alert.labels, { node: 'storage-2', zone: 'dc2', role: 'storage', severity: 'critical', platform: 'test-monitoring' });
  t.regex(alert.annotations.summary ?? '', /^节点 storage-2（dc2，角色 storage）/);
  const others = ((await getJson(`${c.promUrl ?? ''}/api/v1/alerts`)).body as { data: { alerts: Alert[] } }).data.alerts
    .filter((a) => a.labels.alertname === 'YunyingNodeDown' && a.labels.node !== 'storage-2');
  t.deepEqual(others, [], 'only the stopped node is down');
});
