// The alert rules: promtool accepts them and their unit tests pass; every alert has a unit test where it
// fires and one where it stays quiet; every alert carries severity, a Chinese summary, an English
// description and a runbook link to a section that exists; every query uses agreed names only.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ROOT } from '../helpers/processes.ts';
import { checkNames } from './promql-names.ts';

const RULES = join(ROOT, 'monitoring', 'rules');
const CJK = /[\u4e00-\u9fff]/;

interface Rule { alert?: string; expr: string; for?: string; labels?: Record<string, string>; annotations?: Record<string, string> }
interface AlertTest { alertname: string; exp_alerts?: unknown[] }
const ruleFiles = readdirSync(RULES).filter((n) => n.endsWith('.yml')).sort();
const testFiles = readdirSync(join(RULES, 'tests')).filter((n) => n.endsWith('.yml')).sort();
const rules: Rule[] = ruleFiles.flatMap((f) => (parse(readFileSync(join(RULES, f), 'utf8')) as { groups: { rules: Rule[] }[] }).groups.flatMap((g) => g.rules));
const alertTests: AlertTest[] = testFiles.flatMap((f) => (parse(readFileSync(join(RULES, 'tests', f), 'utf8')) as { tests: { alert_rule_test?: AlertTest[] }[] }).tests.flatMap((t) => t.alert_rule_test ?? []));

function promtool(...args: string[]) {
  const result = spawnSync('promtool', args, { encoding: 'utf8', cwd: RULES });
  if (result.error) throw new Error('promtool is not installed: apt-get install -y prometheus');
  return result;
}

test('promtool check rules accepts every rule file', (t) => {
  const result = promtool('check', 'rules', ...ruleFiles);
  t.is(result.status, 0, `${result.stdout}${result.stderr}`);
  t.is((result.stdout.match(/SUCCESS/g) ?? []).length, ruleFiles.length);
});

test('promtool test rules passes every unit test', (t) => {
  const result = promtool('test', 'rules', ...testFiles.map((f) => join('tests', f)));
  t.is(result.status, 0, `${result.stdout}${result.stderr}`);
  t.is((result.stdout.match(/SUCCESS/g) ?? []).length, testFiles.length);
});

test('the alerts the issue asks for exist', (t) => {
  t.deepEqual([...new Set(rules.map((r) => r.alert))].sort(), [
    'YunyingDependencyDown', 'YunyingEdgeBacklogGrowing', 'YunyingEdgeHeartbeatLost', 'YunyingIngestErrorRatio',
    'YunyingNodeDown', 'YunyingRetrievalSlow', 'YunyingStorageCorruptBlobs', 'YunyingStorageFillCritical',
    'YunyingStorageFillWarning', 'YunyingUnderReplicatedBlobs',
  ]);
  t.regex(rules.find((r) => r.alert === 'YunyingUnderReplicatedBlobs')?.for ?? '', /^10m$/);
  t.regex(rules.find((r) => r.alert === 'YunyingStorageFillWarning')?.expr ?? '', /> 0\.8$/);
  t.regex(rules.find((r) => r.alert === 'YunyingStorageFillCritical')?.expr ?? '', /> 0\.9$/);
});

test('every alert has a unit test where it fires and one where it stays quiet', (t) => {
  for (const name of new Set(rules.map((r) => r.alert))) {
    const cases = alertTests.filter((c) => c.alertname === name);
    t.true(cases.some((c) => (c.exp_alerts ?? []).length > 0), `${name} never fires in a test`);
    t.true(cases.some((c) => (c.exp_alerts ?? []).length === 0), `${name} is never tested quiet`);
  }
  // Each objective of the retrieval alert fires in a test (the three rules share one name).
  const fired = alertTests.filter((c) => c.alertname === 'YunyingRetrievalSlow').flatMap((c) => c.exp_alerts ?? []) as { exp_labels: { objective: string } }[];
  t.deepEqual([...new Set(fired.map((a) => a.exp_labels.objective))].sort(), ['0.2s', '2s']);
});

test('every alert has severity, a Chinese summary, an English description and a runbook section that exists', (t) => {
  const operations = readFileSync(join(ROOT, 'docs', 'operations.md'), 'utf8');
  for (const rule of rules) {
    const name = rule.alert ?? '';
    t.true(['warning', 'critical'].includes(rule.labels?.severity ?? ''), `${name}: severity`);
    t.regex(rule.annotations?.summary ?? '', CJK, `${name}: summary in Chinese`);
    t.notRegex(rule.annotations?.description ?? 'missing 缺', CJK, `${name}: description in English`);
    const anchor = name.toLowerCase();
    t.is(rule.annotations?.runbook_url, `docs/operations.md#${anchor}`, name);
    t.true(operations.includes(`<a id="${anchor}"></a>`), `${name}: docs/operations.md has no section <a id="${anchor}">`);
  }
});

test('rules query agreed metric names and labels only', (t) => {
  for (const rule of rules) t.deepEqual(checkNames(rule.expr), { unknownMetrics: [], unknownLabels: [] }, rule.alert);
});
