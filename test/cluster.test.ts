// Three real brokers (api, two storage nodes in two zones) over a real nats-server on loopback.
import test from 'ava';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, getJson, startNats, startYunying, tempDir, waitFor, type NodeProcess } from './helpers/processes.ts';

const TOKEN = 'cluster-test-token-0123456789';
const HEARTBEAT_TIMEOUT_SECONDS = 2;

interface View {
  nodes: { id: string; roles: string[]; zone: string; health?: { status: string; storage?: { capacityBytes: number } } }[];
  offline: { id: string }[];
}

test('nodes discover each other, a killed node leaves the list within the heartbeat timeout, a restarted one rejoins', async (t) => {
  const nats = await startNats();
  t.teardown(() => nats.stop());
  const [apiPort, s1Port, s2Port] = [await freePort(), await freePort(), await freePort()];
  const dir = tempDir('cluster');
  const file = join(dir, 'topology.yaml');
  writeFileSync(file, `
platform: { id: test-cluster, level: city, name: 集群测试 }
zones: [{ id: dc1, name: 一号数据中心 }, { id: dc2, name: 二号数据中心 }]
nodes:
  - { id: api-1, zone: dc1, roles: [api, index], http: { port: ${apiPort} } }
  - { id: storage-1, zone: dc1, roles: [storage], http: { port: ${s1Port} }, storage: { path: blobs, capacity: 2GiB } }
  - { id: storage-2, zone: dc2, roles: [storage], http: { port: ${s2Port} }, storage: { path: blobs, capacity: 3GiB } }
replication: { factor: 2 }
nats: { servers: ["${nats.url}"] }
index: { engine: sqlite }
`);
  const env = (id: string) => ({
    YY_DATA_DIR: join(dir, id), YY_ADMIN_TOKEN: TOKEN,
    YY_HEARTBEAT_INTERVAL_SECONDS: '0.5', YY_HEARTBEAT_TIMEOUT_SECONDS: String(HEARTBEAT_TIMEOUT_SECONDS),
  });
  const start = (id: string) => startYunying(['--topology', file, '--node', id], env(id));
  const nodes = new Map<string, NodeProcess>(['api-1', 'storage-1', 'storage-2'].map((id) => [id, start(id)]));
  t.teardown(() => { for (const n of nodes.values()) n.child.kill('SIGKILL'); });

  const cluster = async () => (await getJson(`http://127.0.0.1:${apiPort}/api/cluster`, TOKEN)).body as View;
  const listed = (view: View) => view.nodes.map((n) => n.id).join(',');
  const all = await waitFor('three nodes with health', async () => {
    const view = await cluster();
    return listed(view) === 'api-1,storage-1,storage-2' && view.nodes.every((n) => n.health?.status === 'ok') ? view : undefined;
  }, 30_000);
  t.deepEqual(all.nodes.map((n) => [n.id, n.roles, n.zone]), [['api-1', ['api', 'index'], 'dc1'], ['storage-1', ['storage'], 'dc1'], ['storage-2', ['storage'], 'dc2']]);
  t.is(all.nodes[2]?.health?.storage?.capacityBytes, 3 * 2 ** 30);

  // Every node serves its own /health and /metrics.
  for (const port of [s1Port, s2Port]) {
    t.is((await getJson(`http://127.0.0.1:${port}/health`)).status, 200);
    t.regex(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text(), /^yunying_dependency_up\{.*dependency="nats".*\} 1$/m);
  }

  const killedAt = Date.now();
  nodes.get('storage-2')?.child.kill('SIGKILL');
  const gone = await waitFor('storage-2 to leave', async () => {
    const view = await cluster();
    return listed(view) === 'api-1,storage-1' ? view : undefined;
  }, 20_000);
  const seconds = (Date.now() - killedAt) / 1000;
  t.log(`storage-2 left the list ${seconds.toFixed(1)} s after SIGKILL (heartbeat timeout ${HEARTBEAT_TIMEOUT_SECONDS} s)`);
  // Bound: the timeout, plus the 250 ms sweep, plus this test's own polling and HTTP round trip.
  t.true(seconds <= HEARTBEAT_TIMEOUT_SECONDS + 0.75, `took ${seconds} s`);
  t.deepEqual(gone.offline.map((n) => n.id), ['storage-2']);
  const lastSeen = Date.parse((gone.offline[0] as { lastSeen?: string } | undefined)?.lastSeen ?? '');
  t.true(Math.abs(lastSeen - killedAt) < 1000, 'lastSeen is the time of the last heartbeat, just before the kill');

  nodes.set('storage-2', start('storage-2'));
  const back = await waitFor('storage-2 to rejoin', async () => {
    const view = await cluster();
    return listed(view) === 'api-1,storage-1,storage-2' && view.nodes[2]?.health?.status === 'ok' ? view : undefined;
  }, 30_000);
  t.deepEqual(back.offline, []);
});

test('a NATS outage shows in /health, and the cluster heals by itself when NATS returns', async (t) => {
  const nats = await startNats();
  t.teardown(() => nats.stop());
  const [apiPort, sPort] = [await freePort(), await freePort()];
  const dir = tempDir('cluster-nats');
  const file = join(dir, 'topology.yaml');
  writeFileSync(file, `
platform: { id: test-outage, level: city, name: 断网测试 }
zones: [{ id: dc1, name: 一号数据中心 }]
nodes:
  - { id: api-1, zone: dc1, roles: [api, index], http: { port: ${apiPort} } }
  - { id: storage-1, zone: dc1, roles: [storage], http: { port: ${sPort} }, storage: { path: blobs, capacity: 1GiB } }
replication: { factor: 1 }
nats: { servers: ["${nats.url}"] }
index: { engine: sqlite }
`);
  const start = (id: string) => startYunying(['--topology', file, '--node', id], {
    YY_DATA_DIR: join(dir, id), YY_ADMIN_TOKEN: TOKEN, YY_HEARTBEAT_INTERVAL_SECONDS: '0.5', YY_HEARTBEAT_TIMEOUT_SECONDS: '3',
  });
  const nodes = [start('api-1'), start('storage-1')];
  t.teardown(() => { for (const n of nodes) n.child.kill('SIGKILL'); });
  type Health = { status: string; dependencies: { name: string; state: string }[] };
  const health = async () => {
    const r = await getJson(`http://127.0.0.1:${sPort}/health`);
    return { code: r.status, body: r.body as Health };
  };
  const natsState = (h: Health) => h.dependencies.find((d) => d.name === 'nats')?.state;
  const bothListed = async () => {
    const view = (await getJson(`http://127.0.0.1:${apiPort}/api/cluster`, TOKEN)).body as View;
    return view.nodes?.length === 2 && view.nodes.every((n) => n.health?.status === 'ok') ? view : undefined;
  };
  await waitFor('both nodes', bothListed, 30_000);

  nats.stop();
  const down = await waitFor('nats down', async () => {
    const h = await health();
    return natsState(h.body) === 'down' ? h : undefined;
  }, 15_000);
  t.is(down.code, 503);
  t.is(down.body.status, 'degraded');

  await nats.restart();
  const up = await waitFor('nats up again', async () => {
    const h = await health();
    return h.code === 200 && natsState(h.body) === 'up' ? h : undefined;
  }, 30_000);
  t.is(up.body.status, 'ok');
  t.truthy(await waitFor('both nodes listed again', bothListed, 30_000));
});
