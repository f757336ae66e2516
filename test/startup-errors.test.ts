// A bad topology or configuration stops the process with a non-zero exit and names the key.
import test, { type ExecutionContext } from 'ava';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, startYunying, tempDir } from './helpers/processes.ts';

const EX_CONFIG = 78;

async function failStart(t: ExecutionContext, args: string[], env: Record<string, string>): Promise<string> {
  const node = startYunying(args, { YY_DATA_DIR: tempDir('bad'), ...env });
  t.teardown(() => node.child.kill('SIGKILL'));
  t.is(await node.exited, EX_CONFIG);
  return node.stderr();
}

function topologyFile(yaml: string): string {
  const file = join(tempDir('topology'), 'topology.yaml');
  writeFileSync(file, yaml);
  return file;
}

const CITY = (roles: string, factor: number, zone: string) => `
platform: { id: test-city, level: city, name: 测试市 }
zones: [{ id: z1, name: 一号机房 }]
nodes:
  - { id: api-1, zone: z1, roles: [index, ${roles}], http: { port: 18060 } }
  - { id: storage-1, zone: ${zone}, roles: [storage], http: { port: 18061 }, storage: { path: blobs, capacity: 1GiB } }
replication: { factor: ${factor} }
nats: { servers: ["nats://127.0.0.1:4222"] }
index: { engine: sqlite }
`;

test('an unknown role names its key', async (t) => {
  const err = await failStart(t, ['--topology', topologyFile(CITY('api, storag', 1, 'z1')), '--node', 'api-1'], {});
  t.regex(err, /nodes\[0\]\.roles\[2\]/);
  t.regex(err, /storag/);
});

test('a replication factor above the number of storage nodes names its key', async (t) => {
  const err = await failStart(t, ['--topology', topologyFile(CITY('api', 2, 'z1')), '--node', 'api-1'], {});
  t.regex(err, /replication\.factor/);
});

test('a node in an undeclared zone names its key', async (t) => {
  const err = await failStart(t, ['--topology', topologyFile(CITY('api', 1, 'z9')), '--node', 'api-1'], {});
  t.regex(err, /nodes\[1\]\.zone/);
});

test('a missing zones section names its key', async (t) => {
  const yaml = CITY('api', 1, 'z1').replace(/^zones:.*$/m, '');
  const err = await failStart(t, ['--topology', topologyFile(yaml), '--node', 'api-1'], {});
  t.regex(err, /zones/);
});

test('an unknown node id lists the known ones', async (t) => {
  const err = await failStart(t, ['--topology', topologyFile(CITY('api', 1, 'z1')), '--node', 'api-9'], {});
  t.regex(err, /api-9/);
  t.regex(err, /api-1/);
});

test('bad environment values are all named at once', async (t) => {
  const err = await failStart(t, [], { YY_HTTP_PORT: 'eighty', YY_HEARTBEAT_TIMEOUT_SECONDS: '-1', YY_LOG_LEVEL: 'loud', YY_HTTP_PROT: '1' });
  t.regex(err, /YY_HTTP_PORT: "eighty" is not a port/);
  t.regex(err, /YY_HEARTBEAT_TIMEOUT_SECONDS/);
  t.regex(err, /YY_LOG_LEVEL: "loud" is not one of/);
  t.regex(err, /YY_HTTP_PROT: unknown setting/);
});

test('listening beyond loopback without a configured token is refused', async (t) => {
  const err = await failStart(t, [], { YY_HTTP_HOST: '0.0.0.0' });
  t.regex(err, /YY_ADMIN_TOKEN: required when HTTP listens beyond loopback/);
});

test('an unreachable Cassandra stops an index node with a message naming the settings', async (t) => {
  const unused = await freePort();
  const yaml = CITY('api', 1, 'z1').replace('index: { engine: sqlite }',
    `index: { engine: cassandra, cassandra: { contactPoints: ["127.0.0.1:${unused}"], localDataCenter: dc1, replication: { dc1: 1 } } }`);
  const node = startYunying(['--topology', topologyFile(yaml), '--node', 'api-1'], { YY_DATA_DIR: tempDir('bad') });
  t.teardown(() => node.child.kill('SIGKILL'));
  t.is(await node.exited, 1);
  t.regex(node.stderr(), new RegExp(`cannot connect to 127\\.0\\.0\\.1:${unused}`));
  t.regex(node.stderr(), /YY_CASSANDRA_CONTACT_POINTS/);
  t.notRegex(node.stderr(), /\n\s+at /, 'no stack trace for an operational fault');
});
