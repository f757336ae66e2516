// The embedded default as `npm start` runs it: one process, every role, SQLite, no NATS.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, getJson, startYunying, tempDir, waitFor } from './helpers/processes.ts';

test('the embedded default serves /health, /metrics and a token-protected /api, and stops on SIGTERM', async (t) => {
  const dataDir = tempDir('embedded');
  const port = await freePort();
  const node = startYunying([], { YY_DATA_DIR: dataDir, YY_HTTP_PORT: String(port), YY_DICOM_PORT: String(await freePort()) });
  t.teardown(() => node.child.kill('SIGKILL'));
  const base = `http://127.0.0.1:${port}`;

  const health = await waitFor('/health', async () => {
    const r = await getJson(`${base}/health`);
    return r.status === 200 ? r.body : undefined;
  }, 30_000);
  t.like(health, { nodeId: 'yunying', status: 'ok', zone: 'local' });
  const deps = (health as { dependencies: { name: string; state: string; detail?: string }[] }).dependencies;
  t.deepEqual(deps.map((d) => [d.name, d.state]), [['nats', 'not-used'], ['index', 'up']]);
  t.regex(deps[1]?.detail ?? '', /^sqlite 3\./);
  t.true((health as { roles: string[] }).roles.includes('api'));

  const metrics = await fetch(`${base}/metrics`);
  t.is(metrics.status, 200);
  t.regex(metrics.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  const text = await metrics.text();
  // Node identity comes from the scrape target (monitoring/prometheus-config.ts), not from metric labels.
  t.regex(text, /^yunying_node_info\{roles="[a-z,]+",version="[^"]+"\} 1$/m);
  t.regex(text, /^yunying_http_request_duration_seconds_count\{.*route="\/health".*\} [1-9]/m);
  // The Prometheus naming rules hold (promtool comes with Debian's prometheus package).
  const promtool = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  t.falsy(promtool.error, 'promtool is not installed: apt-get install -y prometheus');
  t.is(promtool.status, 0, `${promtool.stdout}${promtool.stderr}`);

  // The API is never open: no token, a wrong token, then the generated one.
  const denied = await getJson(`${base}/api/cluster`);
  t.is(denied.status, 401);
  t.like(denied.body, { status: 401, title: '未授权' });
  t.is((await getJson(`${base}/api/cluster`, 'not-the-token-at-all')).status, 401);
  t.regex(node.stderr(), /admin token/);
  const token = readFileSync(join(dataDir, 'admin-token'), 'utf8').trim();
  t.regex(node.stderr(), new RegExp(token));
  const cluster = await getJson(`${base}/api/cluster`, token);
  t.is(cluster.status, 200);
  t.like(cluster.body, { platform: 'yunying', nodes: [{ id: 'yunying', zone: 'local', local: true, health: { status: 'ok' } }], offline: [] });

  node.child.kill('SIGTERM');
  t.is(await node.exited, 0);
});

test('a second start reuses the stored token and does not print it again', async (t) => {
  const dataDir = tempDir('embedded-token');
  writeFileSync(join(dataDir, 'admin-token'), 'a-token-written-by-an-operator\n');
  const port = await freePort();
  const node = startYunying([], { YY_DATA_DIR: dataDir, YY_HTTP_PORT: String(port), YY_DICOM_PORT: String(await freePort()) });
  t.teardown(() => node.child.kill('SIGKILL'));
  const r = await waitFor('/api/cluster', async () => {
    const res = await getJson(`http://127.0.0.1:${port}/api/cluster`, 'a-token-written-by-an-operator');
    return res.status === 200 ? res : undefined;
  }, 30_000);
  t.is(r.status, 200);
  t.notRegex(node.stderr(), /a-token-written-by-an-operator/);
  node.child.kill('SIGINT');
  t.is(await node.exited, 0);
});

test('English is served on request', async (t) => {
  const port = await freePort();
  const node = startYunying([], { YY_DATA_DIR: tempDir('embedded-en'), YY_HTTP_PORT: String(port), YY_DICOM_PORT: String(await freePort()), YY_ADMIN_TOKEN: 'sixteen-chars-token' });
  t.teardown(() => node.child.kill('SIGKILL'));
  const response = await waitFor('401', async () => {
    const r = await fetch(`http://127.0.0.1:${port}/api/cluster`, { headers: { 'accept-language': 'en-US,en;q=0.9,zh;q=0.5' } });
    return r.status === 401 ? r : undefined;
  }, 30_000);
  t.is(response.headers.get('www-authenticate'), 'Bearer realm="yunying"');
  t.like(await response.json(), { title: 'Unauthorized' });
});
