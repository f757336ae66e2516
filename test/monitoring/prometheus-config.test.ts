// The Prometheus configuration generated from topologies: targets and labels, token for nodes beyond
// loopback, promtool's verdict, and the CLI's errors.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { loadTopology, parseTopology } from '../../topology/load-topology.ts';
import { buildTargetFiles } from '../../monitoring/prometheus-config.ts';
import { ROOT, tempDir } from '../helpers/processes.ts';

const CITY = join(ROOT, 'topology', 'examples', 'city.yaml');
const YICHANG = join(ROOT, 'topology', 'examples', 'city-yichang.yaml');

function generate(args: readonly string[]) {
  return spawnSync(process.execPath, ['--disable-warning=ExperimentalWarning', join(ROOT, 'scripts', 'gen-prometheus-config.ts'), ...args], { encoding: 'utf8' });
}

function promtool(...args: string[]) {
  const result = spawnSync('promtool', args, { encoding: 'utf8' });
  if (result.error) throw new Error('promtool is not installed: apt-get install -y prometheus');
  return result;
}

const REMOTE = `
platform: { id: city-remote, level: city, name: 远程抓取测试 }
zones: [{ id: dc1, name: 一号数据中心 }, { id: dc2, name: 二号数据中心 }]
nodes:
  - { id: api-1, zone: dc1, roles: [index, api], http: { host: 10.0.1.10, port: 8060 } }
  - { id: storage-1, zone: dc1, roles: [storage], http: { host: 10.0.1.11, port: 8063 }, storage: { path: blobs, capacity: 1TiB } }
  - { id: storage-2, zone: dc2, roles: [storage], http: { host: "fd00::12", port: 8063 }, storage: { path: blobs, capacity: 1TiB } }
  - { id: local-1, zone: dc2, roles: [retrieval], http: { port: 8070 } }
replication: { factor: 2 }
nats: { servers: ["nats://10.0.1.1:4222"] }
index: { engine: sqlite }
`;

test('one target per node with platform, node, zone, role and (edges) hospital labels', (t) => {
  const files = buildTargetFiles([loadTopology(CITY)]);
  t.deepEqual(files.map((f) => [f.path, f.access]), [['targets/loopback/city-wuhan.json', 'loopback']]);
  const groups = files[0]?.groups ?? [];
  const topology = loadTopology(CITY);
  t.is(groups.length, topology.nodes.length);
  for (const node of topology.nodes) {
    const group = groups.find((g) => g.labels.node === node.id);
    t.deepEqual(group?.targets, [`${node.http.host}:${node.http.port}`], node.id);
    t.is(group?.labels.zone, node.zone);
    t.is(group?.labels.platform, 'city-wuhan');
    t.is(group?.labels.role, [...node.roles].sort().join(','));
    t.is(group?.labels.hospital, node.hospital);
  }
  t.truthy(groups.find((g) => g.labels.role === 'edge')?.labels.hospital, 'an edge target names its hospital');
});

test('nodes beyond loopback are scraped with the token file; promtool accepts the configuration', (t) => {
  const out = tempDir('prom-config');
  const remote = join(out, 'remote.yaml');
  writeFileSync(remote, REMOTE);
  const result = generate(['--topology', remote, '--topology', YICHANG, '--out', out, '--scrape-interval', '1s', '--alertmanager', '127.0.0.1:9093']);
  t.is(result.status, 0, result.stderr);
  t.regex(result.stdout, /7 targets in 3 files, 4 rule files/);
  t.regex(result.stdout, /admin token in yunying-token/);
  writeFileSync(join(out, 'yunying-token'), 'a-token-of-sixteen-or-more\n');

  const config = parse(readFileSync(join(out, 'prometheus.yml'), 'utf8')) as {
    global: Record<string, string>;
    rule_files: string[];
    scrape_configs: { job_name: string; authorization?: { credentials_file: string }; file_sd_configs: { files: string[] }[] }[];
  };
  t.deepEqual(config.global, { scrape_interval: '1s', scrape_timeout: '1s', evaluation_interval: '15s' });
  t.deepEqual(config.rule_files, ['rules/*.yml']);
  const jobs = Object.fromEntries(config.scrape_configs.map((j) => [j.job_name, j]));
  t.is(jobs['yunying-loopback']?.authorization, undefined);
  t.is(jobs['yunying-token']?.authorization?.credentials_file, 'yunying-token');

  const token = JSON.parse(readFileSync(join(out, 'targets', 'token', 'city-remote.json'), 'utf8')) as { targets: string[]; labels: { node: string } }[];
  t.deepEqual(token.map((g) => [g.labels.node, g.targets[0]]), [['api-1', '10.0.1.10:8060'], ['storage-1', '10.0.1.11:8063'], ['storage-2', '[fd00::12]:8063']]);
  const loopback = JSON.parse(readFileSync(join(out, 'targets', 'loopback', 'city-remote.json'), 'utf8')) as { labels: { node: string } }[];
  t.deepEqual(loopback.map((g) => g.labels.node), ['local-1']);

  const check = promtool('check', 'config', join(out, 'prometheus.yml'));
  t.is(check.status, 0, `${check.stdout}${check.stderr}`);
  t.regex(check.stdout, /SUCCESS: 4 rule files found/);
});

test('--runbook-base turns the runbook links absolute; regenerating gives the same bytes', (t) => {
  const out = tempDir('prom-runbook');
  t.is(generate(['--topology', CITY, '--out', out, '--runbook-base', 'https://git.example.org/yunying/blob/main']).status, 0);
  const rules = readFileSync(join(out, 'rules', 'nodes.yml'), 'utf8');
  t.regex(rules, /runbook_url: https:\/\/git\.example\.org\/yunying\/blob\/main\/docs\/operations\.md#yunyingnodedown/);
  t.regex(rules, /节点与依赖告警/, 'comments survive');
  const first = readFileSync(join(out, 'targets', 'loopback', 'city-wuhan.json'), 'utf8');
  t.is(generate(['--topology', CITY, '--out', out]).status, 0);
  t.is(readFileSync(join(out, 'targets', 'loopback', 'city-wuhan.json'), 'utf8'), first);
  t.regex(readFileSync(join(out, 'rules', 'nodes.yml'), 'utf8'), /runbook_url: docs\/operations\.md#yunyingnodedown/);
});

test('a node on a wildcard address, a bad duration or a bad topology stops the CLI with the reason', (t) => {
  const out = tempDir('prom-bad');
  const wildcard = join(out, 'wildcard.yaml');
  writeFileSync(wildcard, REMOTE.replace('host: 10.0.1.11', 'host: 0.0.0.0'));
  const w = generate(['--topology', wildcard, '--out', out]);
  t.is(w.status, 78);
  t.regex(w.stderr, /node storage-1 listens on 0\.0\.0\.0/);
  const d = generate(['--topology', CITY, '--out', out, '--scrape-interval', 'soon']);
  t.is(d.status, 78);
  t.regex(d.stderr, /--scrape-interval: "soon" is not a duration/);
  const broken = join(out, 'broken.yaml');
  writeFileSync(broken, REMOTE.replace('roles: [retrieval]', 'roles: [retreival]'));
  const b = generate(['--topology', broken, '--out', out]);
  t.is(b.status, 78);
  t.regex(b.stderr, /nodes\[3\]\.roles\[0\]: unknown role "retreival"/);
  t.is(generate(['--out', out]).status, 64);
  t.throws(() => buildTargetFiles([parseTopology(REMOTE, 'a'), parseTopology(REMOTE, 'b')]), { message: /platform city-remote is given twice/ });
});
