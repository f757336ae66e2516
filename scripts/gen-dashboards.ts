// Writes monitoring/grafana/dashboards/*.json from the dashboard definitions (monitoring/grafana/).
// `--check` exits 1 when the checked-in JSON differs from what the definitions build.
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildDashboards } from '../monitoring/grafana/build-dashboards.ts';

const dir = join(import.meta.dirname, '..', 'monitoring', 'grafana', 'dashboards');
const check = process.argv.includes('--check');
const built = buildDashboards();
const existing = readdirSync(dir).filter((n) => n.endsWith('.json'));
const stale = [
  ...[...built].filter(([name, text]) => !existing.includes(name) || readFileSync(join(dir, name), 'utf8') !== text).map(([name]) => name),
  ...existing.filter((name) => !built.has(name)),
];
if (check) {
  if (stale.length > 0) process.stderr.write(`stale dashboards (run npm run dashboards:build): ${stale.join(', ')}\n`);
  process.exitCode = stale.length > 0 ? 1 : 0;
} else {
  for (const name of existing) if (!built.has(name)) rmSync(join(dir, name));
  for (const [name, text] of built) writeFileSync(join(dir, name), text);
  process.stdout.write(`${built.size} dashboards in ${dir}\n`);
}
