// The provisioned Grafana dashboards: built from their definitions, Chinese titles with English
// descriptions, agreed metric and label names only, one datasource variable bound to the provisioned
// datasource. (Whether each query returns data is proven against a real Prometheus in prometheus-live.)
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ROOT } from '../helpers/processes.ts';
import { dashboardQueries } from '../../monitoring/grafana/dashboard-model.ts';
import { checkNames } from './promql-names.ts';

const DIR = join(ROOT, 'monitoring', 'grafana');
const CJK = /[\u4e00-\u9fff]/;

interface Dashboard {
  uid: string; title: string; description: string;
  templating: { list: { name: string; type: string; query: unknown; current?: { value: unknown } }[] };
  panels: { title: string; description: string; datasource: { uid: string }; targets: { expr: string; datasource: { uid: string } }[] }[];
}
const files = readdirSync(join(DIR, 'dashboards')).filter((n) => n.endsWith('.json')).sort();
const dashboards = files.map((f) => JSON.parse(readFileSync(join(DIR, 'dashboards', f), 'utf8')) as Dashboard);

test('the checked-in JSON is what the definitions build (npm run dashboards:build)', (t) => {
  const result = spawnSync(process.execPath, ['--disable-warning=ExperimentalWarning', join(ROOT, 'scripts', 'gen-dashboards.ts'), '--check'], { encoding: 'utf8' });
  t.is(result.status, 0, result.stderr);
});

test('the five dashboards of the issue, Chinese titles and English descriptions', (t) => {
  t.deepEqual(files, ['yunying-edges.json', 'yunying-ingest.json', 'yunying-overview.json', 'yunying-retrieval.json', 'yunying-storage.json']);
  for (const d of dashboards) {
    t.regex(d.title, CJK, d.uid);
    t.notRegex(d.description, CJK, d.uid);
    t.true(d.panels.length >= 5, d.uid);
    for (const p of d.panels) {
      t.regex(p.title, CJK, `${d.uid}: ${p.title}`);
      t.true(p.description.length > 20 && !CJK.test(p.description), `${d.uid}: ${p.title}: description`);
      t.true(p.targets.length > 0, `${d.uid}: ${p.title}: no query`);
    }
  }
});

test('queries use agreed metric names and labels only', (t) => {
  for (const d of dashboards) {
    for (const q of dashboardQueries(d)) t.deepEqual(checkNames(q.expr), { unknownMetrics: [], unknownLabels: [] }, `${d.uid}: ${q.panel}`);
    for (const v of d.templating.list.filter((x) => x.type === 'query')) {
      t.deepEqual(checkNames(JSON.stringify(v.query).replace(/\\"/g, '"')), { unknownMetrics: [], unknownLabels: [] }, `${d.uid}: $${v.name}`);
    }
  }
});

test('every panel reads the datasource variable, which defaults to the provisioned datasource', (t) => {
  const provisioned = parse(readFileSync(join(DIR, 'provisioning', 'datasources', 'yunying.yml'), 'utf8')) as { datasources: { uid: string; type: string }[] };
  const uid = provisioned.datasources[0]?.uid;
  t.is(provisioned.datasources[0]?.type, 'prometheus');
  for (const d of dashboards) {
    const variable = d.templating.list.find((v) => v.name === 'datasource');
    t.is(variable?.type, 'datasource');
    t.is(variable?.current?.value, uid);
    for (const p of d.panels) {
      t.is(p.datasource.uid, '${datasource}');
      for (const target of p.targets) t.is(target.datasource.uid, '${datasource}');
    }
  }
  const providers = parse(readFileSync(join(DIR, 'provisioning', 'dashboards', 'yunying.yml'), 'utf8')) as { providers: { type: string; options: { path: string } }[] };
  t.is(providers.providers[0]?.type, 'file');
});
