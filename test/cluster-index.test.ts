// An index node on the real Cassandra: it migrates and claims its keyspace, the api node reaches it
// over a real NATS, and a node of another platform pointed at the same keyspace is refused.
import test from 'ava';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import cassandra from 'cassandra-driver';
import { freePort, getJson, startNats, startYunying, tempDir, waitFor } from './helpers/processes.ts';

const CONTACT_POINT = process.env.YY_CASSANDRA_CONTACT_POINTS ?? '127.0.0.1:9042';
const LOCAL_DC = process.env.YY_CASSANDRA_LOCAL_DC ?? 'datacenter1';
const TOKEN = 'index-cluster-test-token';

function topology(platform: string, keyspace: string, natsUrl: string, apiPort: number, indexPort: number): string {
  return `
platform: { id: ${platform}, level: city, name: 索引测试 }
zones: [{ id: dc1, name: 一号数据中心 }]
nodes:
  - { id: api-1, zone: dc1, roles: [api], http: { port: ${apiPort} } }
  - { id: index-1, zone: dc1, roles: [index], http: { port: ${indexPort} } }
  - { id: storage-1, zone: dc1, roles: [storage], http: { port: ${indexPort + 1} }, storage: { path: blobs, capacity: 1GiB } }
replication: { factor: 1 }
nats: { servers: ["${natsUrl}"] }
index:
  engine: cassandra
  cassandra: { contactPoints: ["${CONTACT_POINT}"], localDataCenter: ${LOCAL_DC}, keyspace: ${keyspace}, replication: { ${LOCAL_DC}: 1 } }
`;
}

test('an index node on Cassandra serves the api node; another platform cannot take its keyspace', async (t) => {
  const keyspace = `yy_test_cluster_${process.pid}_${Date.now() % 100000}`;
  const client = new cassandra.Client({ contactPoints: [CONTACT_POINT], localDataCenter: LOCAL_DC });
  t.teardown(async () => {
    await client.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`).catch(() => undefined);
    await client.shutdown();
  });
  await client.connect().catch((error: Error) => {
    throw new Error(`Cassandra is not reachable at ${CONTACT_POINT} (start it with npm run services:up): ${error.message}`);
  });
  const nats = await startNats();
  t.teardown(() => nats.stop());
  const dir = tempDir('cluster-index');
  const [apiPort, indexPort] = [await freePort(), await freePort()];
  const file = join(dir, 'city.yaml');
  writeFileSync(file, topology('test-index', keyspace, nats.url, apiPort, indexPort));
  const env = (id: string) => ({ YY_DATA_DIR: join(dir, id), YY_ADMIN_TOKEN: TOKEN });
  const api = startYunying(['--topology', file, '--node', 'api-1'], env('api-1'));
  const index = startYunying(['--topology', file, '--node', 'index-1'], env('index-1'));
  t.teardown(() => { api.child.kill('SIGKILL'); index.child.kill('SIGKILL'); });

  type View = { nodes: { id: string; health?: { dependencies: { name: string; state: string; detail?: string }[] } }[] };
  const view = await waitFor('api-1 to see the index up', async () => {
    const body = (await getJson(`http://127.0.0.1:${apiPort}/api/cluster`, TOKEN)).body as View;
    const deps = body.nodes?.find((n) => n.id === 'api-1')?.health?.dependencies;
    return deps?.find((d) => d.name === 'index')?.state === 'up' ? body : undefined;
  }, 60_000, 250);
  const apiIndex = view.nodes.find((n) => n.id === 'api-1')?.health?.dependencies.find((d) => d.name === 'index');
  t.log(`index as api-1 sees it: ${apiIndex?.detail ?? ''}`);
  t.regex(apiIndex?.detail ?? '', /^cassandra 5\.0\.\d+$/);

  const claimed = await client.execute(`SELECT platform_id, level FROM ${keyspace}.platform_info WHERE scope = 'platform'`);
  t.deepEqual([claimed.first()?.get('platform_id'), claimed.first()?.get('level')], ['test-index', 'city']);

  // A second platform whose topology points at the same keyspace must not mix its data in.
  const intruderFile = join(dir, 'other.yaml');
  writeFileSync(intruderFile, topology('test-other', keyspace, nats.url, await freePort(), await freePort()));
  const intruder = startYunying(['--topology', intruderFile, '--node', 'index-1'], env('intruder'));
  t.teardown(() => intruder.child.kill('SIGKILL'));
  t.is(await intruder.exited, 1);
  t.regex(intruder.stderr(), /the index belongs to platform "test-index", not "test-other"/);

  index.child.kill('SIGTERM');
  t.is(await index.exited, 0);
  await waitFor('api-1 to report the index down', async () => {
    const body = (await getJson(`http://127.0.0.1:${apiPort}/health`)).body as { status: string };
    return body.status === 'degraded' ? true : undefined;
  }, 20_000, 250);
  t.pass();
});
