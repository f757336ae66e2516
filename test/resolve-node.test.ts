import test from 'ava';
import { join } from 'node:path';
import { loadConfig, ConfigError } from '../lib/config/load-config.ts';
import { resolveNode, isLoopback } from '../lib/config/resolve-node.ts';
import { loadTopology } from '../topology/load-topology.ts';
import { findNode } from '../topology/topology-queries.ts';

const examples = join(import.meta.dirname, '..', 'topology', 'examples');
const city = loadTopology(join(examples, 'city.yaml'));
const embedded = loadTopology(join(examples, 'embedded.yaml'));

test('the environment overrides where NATS and Cassandra are, and the node\'s ports', (t) => {
  const config = loadConfig({
    YY_NATS_URL: 'nats://10.0.0.5:4222', YY_CASSANDRA_CONTACT_POINTS: '10.0.0.6:9042,10.0.0.7:9042',
    YY_CASSANDRA_LOCAL_DC: 'dc-east', YY_HTTP_PORT: '9100', YY_DATA_DIR: 'var/yy',
  });
  const runtime = resolveNode(city, findNode(city, 'api-1'), config, '/srv');
  t.deepEqual(runtime.natsServers, ['nats://10.0.0.5:4222']);
  t.deepEqual(runtime.index.cassandra?.contactPoints, ['10.0.0.6:9042', '10.0.0.7:9042']);
  t.is(runtime.index.cassandra?.localDataCenter, 'dc-east');
  t.is(runtime.index.cassandra?.keyspace, city.index.cassandra?.keyspace);
  t.is(runtime.node.http.port, 9100);
  t.is(runtime.node.http.host, '127.0.0.1');
  t.is(runtime.dataDir, '/srv/var/yy');
  t.true(Object.isFrozen(runtime));
});

test('without overrides the topology decides', (t) => {
  const runtime = resolveNode(city, findNode(city, 'api-1'), loadConfig({}), '/srv');
  t.deepEqual(runtime.natsServers, city.nats?.servers);
  t.deepEqual(runtime.index, city.index);
  t.deepEqual(runtime.node, findNode(city, 'api-1'));
});

test('the embedded default has no transporter and a DICOM port override applies', (t) => {
  const runtime = resolveNode(embedded, findNode(embedded, 'yunying'), loadConfig({ YY_DICOM_PORT: '11113' }), '/srv');
  t.is(runtime.natsServers, undefined);
  t.is(runtime.index.engine, 'sqlite');
  t.is(runtime.node.dicom?.port, 11113);
});

test('HTTP beyond loopback needs a configured token', (t) => {
  const node = findNode(embedded, 'yunying');
  const error = t.throws(() => resolveNode(embedded, node, loadConfig({ YY_HTTP_HOST: '0.0.0.0' }), '/srv'), { instanceOf: ConfigError });
  t.regex(error?.message ?? '', /YY_ADMIN_TOKEN/);
  const runtime = resolveNode(embedded, node, loadConfig({ YY_HTTP_HOST: '0.0.0.0', YY_ADMIN_TOKEN: 'an-operator-chosen-token' }), '/srv');
  t.is(runtime.node.http.host, '0.0.0.0');
});

test('loopback addresses', (t) => {
  for (const host of ['127.0.0.1', '127.1.2.3', '::1', 'localhost']) t.true(isLoopback(host), host);
  for (const host of ['0.0.0.0', '10.0.0.1', '::', 'example.org', '127.0.0.1.example.org']) t.false(isLoopback(host), host);
});
