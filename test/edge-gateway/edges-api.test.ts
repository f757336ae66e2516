// GET /api/edges on a real node: token-protected like every /api route, and on the embedded default
// (no NATS, no hospitals) an empty list while DICOMweb keeps working through the retrieval router.
import test from 'ava';
import { join } from 'node:path';
import { loadConfig } from '../../lib/config/load-config.ts';
import { resolveNode } from '../../lib/config/resolve-node.ts';
import { startNode, type RunningNode } from '../../services/start-node.ts';
import { loadTopology } from '../../topology/load-topology.ts';
import { findNode } from '../../topology/topology-queries.ts';
import { freePort, getJson, tempDir } from '../helpers/processes.ts';

const TOKEN = 'edges-api-test-token-0123456789';
let node: RunningNode | undefined;

test.before(async () => {
  const topology = loadTopology(join(import.meta.dirname, '..', '..', 'topology', 'examples', 'embedded.yaml'));
  const config = loadConfig({ YY_DATA_DIR: tempDir('edges-api'), YY_HTTP_PORT: String(await freePort()), YY_DICOM_PORT: String(await freePort()), YY_ADMIN_TOKEN: TOKEN, YY_LOG_LEVEL: 'warn' });
  node = await startNode(resolveNode(topology, findNode(topology, 'yunying'), config, process.cwd()), 'test');
});
test.after.always(async () => { await node?.stop(); });

test('/api/edges needs the token and lists the hospitals with an edge (none in the embedded default)', async (t) => {
  const base = `http://127.0.0.1:${node?.httpPort ?? 0}`;
  t.is((await getJson(`${base}/api/edges`)).status, 401);
  const answer = await getJson(`${base}/api/edges`, TOKEN);
  t.is(answer.status, 200);
  t.deepEqual(answer.body, { edges: [] });
  const qido = await fetch(`${base}/dicom-web/studies`, { headers: { authorization: `Bearer ${TOKEN}` } });
  t.true(qido.status === 200 || qido.status === 204, String(qido.status));
});
