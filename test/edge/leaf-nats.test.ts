// The leaf-node harness the edge tests stand on (test/helpers/leaf-nats.ts): a hospital nats-server
// that dials the city's leafnode port carries raw NATS request/reply and Moleculer calls both ways,
// also through the slow link, and comes back after the city server is killed and restarted.
import test from 'ava';
import { ServiceBroker } from 'moleculer';
import { connect } from 'nats';
import { getJson, waitFor } from '../helpers/processes.ts';
import { requestAcross, startLeafPair } from '../helpers/leaf-nats.ts';

function broker(nodeID: string, url: string): ServiceBroker {
  return new ServiceBroker({
    nodeID, namespace: 'leaf-test', logger: false, requestTimeout: 5000,
    transporter: { type: 'NATS', options: { servers: [url], maxReconnectAttempts: -1, reconnectTimeWait: 250 } },
  });
}

test('a Moleculer call and a raw NATS request cross the leaf connection in both directions', async (t) => {
  const pair = await startLeafPair({ name: `leaf-a-${process.pid}` });
  t.teardown(() => pair.stop());
  const leafz = (await getJson(`http://127.0.0.1:${pair.city.monitorPort}/leafz`)).body as { leafnodes: number };
  t.is(leafz.leafnodes, 1, 'the city server sees one leaf connection');

  await requestAcross(pair.city.url, pair.hospital.url, 10_000);
  t.pass('raw NATS request city -> hospital answered');

  const city = broker('city-1', pair.city.url);
  const edge = broker('edge-1', pair.hospital.url);
  city.createService({ name: 'cityProbe', actions: { where: () => 'city' } });
  edge.createService({ name: 'edgeProbe', actions: { where: () => 'edge' } });
  await Promise.all([city.start(), edge.start()]);
  t.teardown(async () => { await edge.stop(); await city.stop(); });
  await Promise.all([edge.waitForServices(['cityProbe'], 15_000), city.waitForServices(['edgeProbe'], 15_000)]);
  t.is(await edge.call('cityProbe.where'), 'city');
  t.is(await city.call('edgeProbe.where'), 'edge');
});

test('through the slow link a round trip takes the added 20 ms; the leaf reconnects after the city server restarts', async (t) => {
  const pair = await startLeafPair({ name: `leaf-b-${process.pid}`, slowLink: { latencyMs: 10, bytesPerSecond: 100e6 / 8 } });
  t.teardown(() => pair.stop());
  const [cityConn, hospitalConn] = [await connect({ servers: pair.city.url }), await connect({ servers: pair.hospital.url })];
  t.teardown(async () => { await cityConn.close(); await hospitalConn.close(); });
  const sub = cityConn.subscribe('yy.test.rtt');
  void (async () => { for await (const m of sub) m.respond(m.data); })();
  await cityConn.flush();
  await waitFor('interest to cross the leaf', async () => ((await hospitalConn.request('yy.test.rtt', new Uint8Array(1), { timeout: 500 })) ? true : undefined), 10_000, 200);
  const times: number[] = [];
  for (let i = 0; i < 11; i++) {
    const started = performance.now();
    await hospitalConn.request('yy.test.rtt', new Uint8Array(8), { timeout: 2000 });
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  const median = times[5] ?? 0;
  t.log(`request/reply across the slow leaf link: median ${median.toFixed(1)} ms`);
  t.true(median >= 20, `median ${median.toFixed(1)} ms`);
  t.true((pair.link?.stats().up.bytes ?? 0) > 0, 'the leaf traffic went through the slow link');

  pair.city.kill();
  await pair.city.restart();
  await pair.waitLinked(20_000);
  t.pass('the hospital server dialled the restarted city server again');
});
