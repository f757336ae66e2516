// The run's results as a markdown table and a JSON file under bench/results/.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Machine } from './machine.ts';
import { SYSTEMS, type Recorder, type ScenarioSeries, type SystemName } from './recorder.ts';
import { speedup, summarize, type Summary } from './stats.ts';
import { SEARCH_TARGET_SIZE, targetFor } from './targets.ts';

export interface RunInfo {
  readonly startedAt: Date;
  readonly finishedAt: Date;
  readonly command: string;
  readonly sizes: readonly string[];
  readonly rounds: number;
  readonly quick: boolean;
  readonly cluster: boolean;
  readonly systems: Readonly<Record<SystemName, string>>;
  /** Why a system or a protocol was not measured. */
  readonly missing: readonly string[];
  /** Peak RSS (MiB) per system, after each size and overall. */
  readonly memory: Readonly<Record<SystemName, Readonly<Record<string, number>>>>;
}

export interface Row {
  readonly id: string;
  readonly title: string;
  readonly size: string;
  readonly unit: string;
  readonly yunying?: Summary;
  readonly orthanc?: Summary;
  readonly speedup?: number;
  readonly target?: string;
  readonly met?: boolean;
  readonly counts?: Readonly<Record<SystemName, number[]>>;
  readonly notes: readonly string[];
}

function countsDiffer(s: ScenarioSeries): boolean {
  const [y, o] = [s.counts.yunying, s.counts.orthanc];
  return y.length > 0 && o.length > 0 && y.join(',') !== o.join(',');
}

export function buildRows(rec: Recorder, cluster: boolean): Row[] {
  return [...rec.scenarios.values()].map((s) => {
    const sum = (name: SystemName) => (s.values[name].length ? summarize(s.values[name]) : undefined);
    const [y, o] = [sum('yunying'), sum('orthanc')];
    const differ = countsDiffer(s);
    const notes = [...s.notes];
    if (differ) notes.push(`result counts differ (matches per round: Yunying ${s.counts.yunying.join('/')}, Orthanc ${s.counts.orthanc.join('/')}): no speed-up given`);
    const x = y && o && !differ ? speedup(y.median, o.median, s.better) : undefined;
    const target = targetFor(s, cluster);
    const met = target && y && x !== undefined && !Number.isNaN(x) ? target.met(y.median, x) : undefined;
    return { id: s.id, title: s.title, size: s.size, unit: s.unit, yunying: y, orthanc: o, speedup: x, target: target?.text, met, counts: s.counts, notes };
  });
}

function num(v: number): string {
  if (Number.isNaN(v)) return '—';
  if (Math.abs(v) >= 100) return v.toFixed(0);
  if (Math.abs(v) >= 10) return v.toFixed(1);
  return v.toFixed(2);
}

function cell(s: Summary | undefined): string {
  if (!s) return 'not measured';
  return s.rounds > 1 ? `${num(s.median)} (${num(s.min)}–${num(s.max)})` : num(s.median);
}

function metCell(row: Row): string {
  if (!row.target) return '';
  if (row.met === undefined) return 'not measured';
  return row.met ? 'yes' : '**no**';
}

function table(rows: readonly Row[]): string[] {
  const lines = ['| Scenario | Size | Unit | Yunying median (min–max) | Orthanc median (min–max) | Speed-up | Target | Met? |', '|---|---|---|---|---|---|---|---|'];
  for (const r of rows) {
    const x = r.speedup === undefined ? '—' : `${num(r.speedup)}×`;
    lines.push(`| ${r.title} | ${r.size} | ${r.unit} | ${cell(r.yunying)} | ${cell(r.orthanc)} | ${x} | ${r.target ?? ''} | ${metCell(r)} |`);
  }
  return lines;
}

export function renderMarkdown(rec: Recorder, rows: readonly Row[], info: RunInfo, machine: Machine): string {
  const minutes = ((info.finishedAt.getTime() - info.startedAt.getTime()) / 60_000).toFixed(1);
  const out = [
    `# Yunying and Orthanc side by side: ${info.startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    '',
    `Command: \`${info.command}\` (${minutes} min${info.quick ? '; **quick run: one round, tiny data, not for comparison**' : ''}). Sizes: ${info.sizes.join(', ')}; ${info.rounds} round(s), the two systems alternating (ABAB).`,
    '',
    '## Machine',
    `- CPU: ${machine.cpu}, ${machine.cores} cores; RAM ${machine.ramGiB} GiB; kernel ${machine.kernel}; host ${machine.host}`,
    `- Disk (both servers' data and the bench data): ${machine.disk}`,
    `- Node ${machine.node}; load average at the end: ${machine.load}`,
    `- Yunying: ${info.systems.yunying}`,
    `- Orthanc: ${info.systems.orthanc}`,
    '',
  ];
  if (info.missing.length) out.push('## Not measured', ...info.missing.map((m) => `- ${m}`), '');
  out.push('## Results', '',
    'Median of the rounds, with the lowest and highest round in brackets. Latency rows give the p50 or p95 of',
    'each round\'s requests. Speed-up: how many times better Yunying did than Orthanc in this run (rates Y/O,',
    'latencies O/Y); above 1 means Yunying was better.', '', ...table(rows), '');
  const refs = [...rec.references.values()];
  if (refs.length) {
    out.push('## Reference: the disk', '', '| Measurement | Unit | Median (min–max) |', '|---|---|---|');
    for (const r of refs) out.push(`| ${r.title} | ${r.unit} | ${cell(summarize(r.values))} |`);
    out.push('');
  }
  out.push('## Peak memory (RSS high-water mark, MiB)', '', `| System | ${info.sizes.map((s) => `after ${s}`).join(' | ')} | whole run |`, `|---|${info.sizes.map(() => '---|').join('')}---|`);
  for (const name of SYSTEMS) {
    const m = info.memory[name];
    out.push(`| ${name} | ${info.sizes.map((s) => num(m[s] ?? Number.NaN)).join(' | ')} | ${num(m['run'] ?? Number.NaN)} |`);
  }
  out.push('');
  const noted = rows.filter((r) => r.notes.length);
  if (noted.length || rec.notes.length) {
    out.push('## Notes', '');
    for (const r of noted) for (const n of r.notes) out.push(`- ${r.title} (${r.size || 'largest size'}): ${n}`);
    for (const n of rec.notes) out.push(`- ${n}`);
    out.push('');
  }
  out.push('## Targets', '', ...targetSummary(rows, info), '');
  return out.join('\n');
}

function targetSummary(rows: readonly Row[], info: RunInfo): string[] {
  const withTarget = rows.filter((r) => r.target);
  const met = withTarget.filter((r) => r.met === true).length;
  const missed = withTarget.filter((r) => r.met === false).map((r) => `${r.title} @${r.size}`);
  const lines = [`- ${met} of ${withTarget.length} target rows met; missed: ${missed.length ? missed.join('; ') : 'none'}.`];
  if (!info.sizes.includes(SEARCH_TARGET_SIZE)) lines.push(`- The search target (≥ 5× at ${SEARCH_TARGET_SIZE} instances) was not checked: this run did not reach ${SEARCH_TARGET_SIZE} (\`--sizes 1k,10k,50k\`).`);
  if (!info.cluster) lines.push('- The cluster-mode ingest target (≥ 1×) is checked by a run with `--cluster`, not by this one.');
  else lines.push('- The embedded-default ingest target (≥ 2×) is checked by a run without `--cluster`, not by this one.');
  return lines;
}

export function writeReport(dir: string, rec: Recorder, info: RunInfo, machine: Machine): { markdown: string; json: string } {
  mkdirSync(dir, { recursive: true });
  const rows = buildRows(rec, info.cluster);
  const stamp = info.startedAt.toISOString().slice(0, 16).replace(':', '');
  const base = join(dir, `${stamp}-${machine.host}${info.cluster ? '-cluster' : ''}${info.quick ? '-quick' : ''}`);
  writeFileSync(`${base}.md`, renderMarkdown(rec, rows, info, machine));
  writeFileSync(`${base}.json`, `${JSON.stringify({ info, machine, rows, references: Object.fromEntries(rec.references), notes: rec.notes }, null, 2)}\n`);
  return { markdown: `${base}.md`, json: `${base}.json` };
}
