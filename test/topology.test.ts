import { readdirSync, readFileSync } from 'node:fs';
import test from 'ava';
import type { ExecutionContext } from 'ava';
import { stringify } from 'yaml';
import { loadTopology, parseTopology, TopologyError, topologyWarnings } from '../topology/load-topology.ts';
import type { TopologyIssue } from '../topology/load-topology.ts';
import { parseCapacity } from '../topology/parse-capacity.ts';
import { findNode, hospitalOf, nodesWithRole, storageNodes } from '../topology/topology-queries.ts';

const EXAMPLES = new URL('../topology/examples/', import.meta.url);
const DELETE = Symbol('delete');
type Edit = readonly [path: readonly (string | number)[], value: unknown];

/** A small valid city; each rule test breaks exactly one thing in it. */
function baseTopology(): Record<string, unknown> {
  return {
    platform: { id: 'city-test', level: 'city', name: '测试市区域云影像平台' },
    zones: [{ id: 'dc1', name: 'DC 1' }, { id: 'dc2', name: 'DC 2' }],
    nodes: [
      { id: 'api-1', zone: 'dc1', roles: ['api', 'index', 'dimse'], http: { port: 8060 } },
      { id: 'storage-1', zone: 'dc1', roles: ['storage'], http: { port: 8061 }, storage: { path: 'b1', capacity: '1TiB' } },
      { id: 'storage-2', zone: 'dc2', roles: ['storage'], http: { port: 8062 }, storage: { path: 'b2', capacity: 1000 } },
      { id: 'edge-h1', zone: 'dc1', roles: ['edge'], hospital: 'h1', http: { port: 8063 }, dicom: { port: 11113 } },
    ],
    hospitals: [{ id: 'h1', name: 'H1', storageMode: 'distributed', edgeNode: 'edge-h1' }],
    replication: { factor: 2 },
    nats: { servers: ['nats://127.0.0.1:4222'] },
    index: { engine: 'cassandra', cassandra: { contactPoints: ['127.0.0.1:9042'], localDataCenter: 'dc1', replication: { dc1: 1 } } },
  };
}

function variant(...edits: readonly Edit[]): string {
  const doc = baseTopology();
  for (const [path, value] of edits) {
    const parent = path.slice(0, -1).reduce<unknown>((node, key) => (node as Record<PropertyKey, unknown>)[key], doc);
    const container = parent as Record<PropertyKey, unknown>;
    const last = path.at(-1) ?? '';
    if (value === DELETE) delete container[last];
    else container[last] = value;
  }
  return stringify(doc);
}

function issuesOf(t: ExecutionContext, text: string): readonly TopologyIssue[] {
  const error = t.throws(() => parseTopology(text, 'test.yaml'), { instanceOf: TopologyError });
  return error?.issues ?? [];
}

function assertIssue(t: ExecutionContext, issues: readonly TopologyIssue[], path: string, fragment: string): void {
  const found = issues.some((issue) => issue.path === path && issue.message.includes(fragment));
  t.true(found, `expected ${path}: …${fragment}… among\n${issues.map((i) => `${i.path}: ${i.message}`).join('\n')}`);
}

test('every example topology loads and validates', (t) => {
  const files = readdirSync(EXAMPLES).filter((name) => name.endsWith('.yaml'));
  t.deepEqual(files.sort(), ['city-yichang.yaml', 'city.yaml', 'embedded.yaml', 'province.yaml']);
  for (const file of files) t.notThrows(() => loadTopology(new URL(file, EXAMPLES).pathname), file);
});

test('embedded example: one node with every role but edge and federation, no NATS', (t) => {
  const topology = loadTopology(new URL('embedded.yaml', EXAMPLES).pathname);
  const node = findNode(topology, 'yunying');
  t.deepEqual([...node.roles].sort(), ['api', 'dimse', 'index', 'ingest', 'mpi', 'qc', 'recognition', 'repair', 'retrieval', 'storage']);
  t.deepEqual(node.http, { host: '127.0.0.1', port: 8060 });
  t.deepEqual(node.dicom, { port: 11112, aeTitle: 'YUNYING' });
  t.deepEqual(node.storage, { path: 'blobs', capacityBytes: 2 ** 40 });
  t.is(topology.nats, undefined);
  t.is(topology.index.engine, 'sqlite');
  t.deepEqual(topologyWarnings(topology), []);
});

test('city example: zones, edges, hospitals and Cassandra defaults', (t) => {
  const topology = loadTopology(new URL('city.yaml', EXAMPLES).pathname);
  t.is(topology.platform.id, 'city-wuhan');
  t.is(storageNodes(topology).length, 3);
  t.deepEqual(storageNodes(topology).map((node) => node.zone), ['dc1', 'dc2', 'dc1']);
  t.is(findNode(topology, 'edge-h420101').dicom?.aeTitle, 'EDGE-H420101');
  t.is(hospitalOf(topology, 'edge-h420102')?.storageMode, 'distributed');
  t.is(topology.index.cassandra?.keyspace, 'yunying_city_wuhan');
  t.deepEqual(topology.replication, { factor: 2, writeQuorum: 2 });
  t.deepEqual(topologyWarnings(topology), []);
});

test('province example federates both city examples', (t) => {
  const province = loadTopology(new URL('province.yaml', EXAMPLES).pathname);
  const cities = ['city.yaml', 'city-yichang.yaml'].map((file) => loadTopology(new URL(file, EXAMPLES).pathname).platform.id);
  t.deepEqual(province.federation.map((member) => member.platform), cities);
  t.deepEqual(province.hospitals, []);
});

test('the README example is a valid topology', (t) => {
  const readme = readFileSync(new URL('../topology/README.md', import.meta.url), 'utf8');
  const example = /## 完整示例[^\n]*\n+```yaml\n([\s\S]*?)```/.exec(readme)?.[1];
  if (example === undefined) return t.fail('no yaml block under the complete example heading');
  t.is(parseTopology(example, 'README.md').platform.id, 'city-wuhan');
});

test('the base topology of the rule tests is valid', (t) => {
  t.notThrows(() => parseTopology(variant(), 'test.yaml'));
});

test('defaults are filled', (t) => {
  const storage3 = { id: 'storage-3', zone: 'dc2', roles: ['storage'], http: { port: 8064 }, storage: { path: 'b3', capacity: 1 } };
  const topology = parseTopology(variant([['replication', 'factor'], 3], [['nodes', 4], storage3],
    [['nodes', 3, 'id'], 'edge-hospital-with-a-long-name'], [['hospitals', 0, 'edgeNode'], 'edge-hospital-with-a-long-name']), 'test.yaml');
  t.deepEqual(topology.replication, { factor: 3, writeQuorum: 2 });
  t.deepEqual(topology.placement, { distinctZones: true });
  t.is(topology.nodes[0]?.http.host, '127.0.0.1');
  t.deepEqual(topology.nodes[0]?.dicom, { port: 11112, aeTitle: 'YUNYING' });
  t.is(topology.nodes[3]?.dicom?.aeTitle, 'EDGE-HOSPITAL-WI');
  t.is(topology.index.cassandra?.keyspace, 'yunying_city_test');
  t.is(topology.nodes[2]?.storage?.capacityBytes, 1000);
  const bare = parseTopology(variant([['hospitals'], DELETE], [['nodes', 3], { id: 'x', zone: 'dc1', roles: ['qc'], http: { port: 1 } }]), 't');
  t.deepEqual(bare.hospitals, []);
  t.deepEqual(bare.federation, []);
});

test('the result is deeply frozen', (t) => {
  const topology = parseTopology(variant(), 'test.yaml');
  for (const value of [topology, topology.nodes, topology.nodes[0], topology.nodes[0]?.roles, topology.nodes[0]?.http,
    topology.index.cassandra?.replication, topology.hospitals[0]]) t.true(Object.isFrozen(value));
  t.throws(() => { (topology.replication as { factor: number }).factor = 9; }, { instanceOf: TypeError });
});

interface RuleCase {
  readonly rule: string;
  readonly edits: readonly Edit[];
  readonly path: string;
  readonly message: string;
}

const RULES: readonly RuleCase[] = [
  { rule: 'unknown role', edits: [[['nodes', 0, 'roles', 1], 'storag']], path: 'nodes[0].roles[1]', message: 'unknown role "storag" (expected one of api, dimse, ingest' },
  { rule: 'duplicate role', edits: [[['nodes', 0, 'roles', 2], 'api']], path: 'nodes[0].roles[2]', message: 'duplicate role "api"' },
  { rule: 'no role', edits: [[['nodes', 1, 'roles'], []]], path: 'nodes[1].roles', message: 'at least one role' },
  { rule: 'factor above storage nodes', edits: [[['replication', 'factor'], 3]], path: 'replication.factor', message: '3 exceeds the 2 storage nodes' },
  { rule: 'factor below 1', edits: [[['replication', 'factor'], 0]], path: 'replication.factor', message: 'expected an integer >= 1, got 0' },
  { rule: 'write quorum above factor', edits: [[['replication', 'writeQuorum'], 3]], path: 'replication.writeQuorum', message: '3 exceeds replication.factor 2' },
  { rule: 'missing zones', edits: [[['zones'], DELETE]], path: 'zones', message: 'required' },
  { rule: 'undeclared zone', edits: [[['nodes', 2, 'zone'], 'dc9']], path: 'nodes[2].zone', message: 'zone "dc9" is not declared in zones' },
  { rule: 'unknown node key', edits: [[['nodes', 1, 'prot'], 1]], path: 'nodes[1].prot', message: 'unknown key' },
  { rule: 'misspelt key', edits: [[['nodes', 1, 'http', 'prot'], 1]], path: 'nodes[1].http.prot', message: 'did you mean "port"?' },
  { rule: 'unknown top-level key', edits: [[['replicaton'], {}]], path: 'replicaton', message: 'did you mean "replication"?' },
  { rule: 'duplicate node id', edits: [[['nodes', 2, 'id'], 'storage-1'], [['nodes', 2, 'roles'], ['storage']]], path: 'nodes[2].id', message: 'duplicate id "storage-1" (also nodes[1])' },
  { rule: 'duplicate zone id', edits: [[['zones', 1, 'id'], 'dc1']], path: 'zones[1].id', message: 'duplicate id "dc1"' },
  { rule: 'duplicate hospital id', edits: [[['hospitals', 1], { id: 'h1', name: 'H', storageMode: 'centralized' }]], path: 'hospitals[1].id', message: 'duplicate id "h1"' },
  { rule: 'malformed node id', edits: [[['nodes', 0, 'id'], 'Api_1']], path: 'nodes[0].id', message: '"Api_1" is not a valid id' },
  { rule: 'malformed platform id', edits: [[['platform', 'id'], '1city']], path: 'platform.id', message: 'is not a valid id' },
  { rule: 'unknown level', edits: [[['platform', 'level'], 'town']], path: 'platform.level', message: 'unknown level "town" (expected one of embedded, city, province)' },
  { rule: 'duplicate http port', edits: [[['nodes', 2, 'http', 'port'], 8061]], path: 'nodes[2].http.port', message: 'port 8061 on 127.0.0.1 is already used by nodes[1].http.port' },
  { rule: 'dicom port on an http port', edits: [[['nodes', 3, 'dicom', 'port'], 8060]], path: 'nodes[3].dicom.port', message: 'already used by nodes[0].http.port' },
  { rule: 'port out of range', edits: [[['nodes', 1, 'http', 'port'], 70000]], path: 'nodes[1].http.port', message: 'from 1 to 65535, got 70000' },
  { rule: 'storage role without block', edits: [[['nodes', 1, 'storage'], DELETE]], path: 'nodes[1].storage', message: 'required by the storage role' },
  { rule: 'storage block without role', edits: [[['nodes', 0, 'storage'], { path: 'x', capacity: 1 }]], path: 'nodes[0].storage', message: 'only allowed on nodes with the storage role' },
  { rule: 'bad capacity', edits: [[['nodes', 1, 'storage', 'capacity'], '2 TB B']], path: 'nodes[1].storage.capacity', message: 'got "2 TB B"' },
  { rule: 'edge without dicom', edits: [[['nodes', 3, 'dicom'], DELETE]], path: 'nodes[3].dicom', message: 'required by the edge role' },
  { rule: 'edge without hospital', edits: [[['nodes', 3, 'hospital'], DELETE]], path: 'nodes[3].hospital', message: 'required by the edge role' },
  { rule: 'dicom on a storage node', edits: [[['nodes', 1, 'dicom'], { port: 104 }]], path: 'nodes[1].dicom', message: 'only allowed on nodes with the dimse or edge role' },
  { rule: 'edge names an undeclared hospital', edits: [[['nodes', 3, 'hospital'], 'h9']], path: 'nodes[3].hospital', message: 'hospital "h9" is not declared in hospitals' },
  { rule: 'hospital names another edge', edits: [[['hospitals', 0, 'edgeNode'], 'storage-1']], path: 'nodes[3].hospital', message: 'names edge node "storage-1" in hospitals[0].edgeNode, not this node' },
  { rule: 'hospital edge node lacks the edge role', edits: [[['hospitals', 0, 'edgeNode'], 'storage-1']], path: 'hospitals[0].edgeNode', message: 'node "storage-1" does not have the edge role' },
  { rule: 'hospital edge node undeclared', edits: [[['hospitals', 0, 'edgeNode'], 'edge-h9']], path: 'hospitals[0].edgeNode', message: 'node "edge-h9" is not declared in nodes' },
  { rule: 'distributed hospital without edge', edits: [[['hospitals', 0, 'edgeNode'], DELETE]], path: 'hospitals[0].edgeNode', message: 'required when storageMode is distributed' },
  { rule: 'AE title too long', edits: [[['nodes', 3, 'dicom', 'aeTitle'], 'A'.repeat(17)]], path: 'nodes[3].dicom.aeTitle', message: 'longer than 16 characters' },
  { rule: 'AE title with backslash', edits: [[['nodes', 3, 'dicom', 'aeTitle'], 'A\\B']], path: 'nodes[3].dicom.aeTitle', message: 'backslash' },
  { rule: 'no api node', edits: [[['nodes', 0, 'roles'], ['index', 'dimse']]], path: 'nodes', message: 'no node has the api role' },
  { rule: 'city without nats', edits: [[['nats'], DELETE]], path: 'nats', message: 'required for a city platform' },
  { rule: 'nats server not a nats URL', edits: [[['nats', 'servers', 0], 'http://127.0.0.1:4222']], path: 'nats.servers[0]', message: 'is not a nats:// or tls:// URL' },
  { rule: 'province without federation', edits: [[['platform', 'level'], 'province']], path: 'federation', message: 'a province platform must list at least one member' },
  { rule: 'federation on a city', edits: [[['federation'], [{ id: 'x', name: 'X', platform: 'city-x', endpoint: 'http://x:8060' }]]], path: 'federation', message: 'only a province platform' },
  { rule: 'embedded with several nodes', edits: [[['platform', 'level'], 'embedded']], path: 'nodes', message: 'an embedded platform runs exactly one node, found 4' },
  { rule: 'cassandra without its block', edits: [[['index', 'cassandra'], DELETE]], path: 'index.cassandra', message: 'required when index.engine is cassandra' },
  { rule: 'sqlite with a cassandra block', edits: [[['index', 'engine'], 'sqlite']], path: 'index.cassandra', message: 'only allowed when index.engine is cassandra' },
  { rule: 'cassandra replication below 1', edits: [[['index', 'cassandra', 'replication', 'dc1'], 0]], path: 'index.cassandra.replication.dc1', message: 'expected an integer >= 1' },
  { rule: 'local data center without replicas', edits: [[['index', 'cassandra', 'localDataCenter'], 'dc2']], path: 'index.cassandra.localDataCenter', message: '"dc2" has no entry in index.cassandra.replication' },
  { rule: 'sqlite on two index nodes', edits: [[['index'], { engine: 'sqlite' }], [['nodes', 1, 'roles'], ['storage', 'index']]], path: 'index.engine', message: '2 nodes have the index role (nodes[0], nodes[1])' },
];

for (const { rule, edits, path, message } of RULES) {
  test(`rejects: ${rule}`, (t) => {
    assertIssue(t, issuesOf(t, variant(...edits)), path, message);
  });
}

test('every problem is reported at once, one line each, prefixed with the source', (t) => {
  const text = variant([['nodes', 0, 'roles', 2], 'storag'], [['nodes', 1, 'prot'], 1], [['zones'], DELETE], [['replication', 'factor'], 3]);
  const error = t.throws(() => parseTopology(text, 'topology/city.yaml'), { instanceOf: TopologyError });
  const paths = error?.issues.map((issue) => issue.path);
  t.deepEqual([...paths ?? []].sort(), ['nodes[0].roles[2]', 'nodes[1].prot', 'replication.factor', 'zones']);
  const lines = error?.message.split('\n') ?? [];
  t.is(lines.length, 1 + (paths?.length ?? 0));
  t.true(lines.every((line) => line.startsWith('topology/city.yaml')));
  t.true(lines.some((line) => /^topology\/city\.yaml:\d+:\d+: nodes\[1\]\.prot: unknown key/.test(line)), lines.join('\n'));
});

test('issues carry the line of the offending key, or of the parent of a missing one', (t) => {
  const text = variant([['nodes', 0, 'roles', 1], 'storag'], [['nodes', 1, 'prot'], 1], [['replication', 'factor'], DELETE]);
  const lineOf = (fragment: string): number => text.split('\n').findIndex((line) => line.includes(fragment)) + 1;
  const issues = issuesOf(t, text);
  const lines = Object.fromEntries(issues.map((issue) => [issue.path, issue.line]));
  t.is(lines['nodes[0].roles[1]'], lineOf('- storag'));
  t.is(lines['nodes[1].prot'], lineOf('prot:'));
  t.is(lines['replication.factor'], lineOf('replication:'));
});

test('a YAML syntax error names its line and column', (t) => {
  const text = 'platform:\n  id: x\nnodes:\n  - id: a\n   zone: [dc1\n';
  const error = t.throws(() => parseTopology(text, 'broken.yaml'), { instanceOf: TopologyError });
  t.is(error?.issues[0]?.line, 5);
  t.regex(error?.message ?? '', /broken\.yaml:5:\d+: YAML: /);
});

test('an empty document and a missing file are reported, not thrown raw', (t) => {
  assertIssue(t, issuesOf(t, ''), '', 'the topology is empty');
  const error = t.throws(() => loadTopology('/nonexistent/topology.yaml'), { instanceOf: TopologyError });
  t.regex(error?.message ?? '', /nonexistent\/topology\.yaml: cannot read the topology file: ENOENT/);
});

test('capacity accepts bytes and decimal or binary size strings', (t) => {
  t.is(parseCapacity('2TiB'), 2 * 2 ** 40);
  t.is(parseCapacity('500GiB'), 500 * 2 ** 30);
  t.is(parseCapacity('10GB'), 10e9);
  t.is(parseCapacity('1.5 tib'), 1.5 * 2 ** 40);
  t.is(parseCapacity(4096), 4096);
  for (const bad of ['2 TB B', '0GB', '10XB', 'GiB', '', -5, 1.5, null]) t.is(parseCapacity(bad), undefined, String(bad));
  const topology = parseTopology(variant([['nodes', 2, 'storage', 'capacity'], '10GB']), 'test.yaml');
  t.deepEqual(storageNodes(topology).map((node) => node.storage.capacityBytes), [2 ** 40, 10e9]);
});

test('topologyWarnings reports fewer storage zones than replicas', (t) => {
  const crowded = parseTopology(variant([['nodes', 2, 'zone'], 'dc1']), 'test.yaml');
  const [warning, ...rest] = topologyWarnings(crowded);
  t.deepEqual(rest, []);
  t.regex(warning ?? '', /^placement\.distinctZones: replication\.factor 2 exceeds the 1 zone holding storage nodes \(dc1\)/);
  const accepted = parseTopology(variant([['nodes', 2, 'zone'], 'dc1'], [['placement'], { distinctZones: false }]), 'test.yaml');
  t.deepEqual(topologyWarnings(accepted), []);
  t.deepEqual(topologyWarnings(parseTopology(variant(), 'test.yaml')), []);
});

test('findNode names --node and YY_NODE_ID and lists the known ids', (t) => {
  const topology = parseTopology(variant(), 'test.yaml');
  t.is(findNode(topology, 'storage-2').zone, 'dc2');
  const error = t.throws(() => findNode(topology, 'storage-9'), { instanceOf: TopologyError });
  t.regex(error?.message ?? '', /no node "storage-9".*--node.*YY_NODE_ID.*api-1, storage-1, storage-2, edge-h1/);
});

test('role and hospital queries', (t) => {
  const topology = parseTopology(variant(), 'test.yaml');
  t.deepEqual(nodesWithRole(topology, 'storage').map((node) => node.id), ['storage-1', 'storage-2']);
  t.deepEqual(nodesWithRole(topology, 'federation'), []);
  t.is(hospitalOf(topology, 'edge-h1')?.id, 'h1');
  t.is(hospitalOf(topology, 'api-1'), undefined);
  t.throws(() => hospitalOf(topology, 'nobody'), { instanceOf: TopologyError });
});
