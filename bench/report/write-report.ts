// The run's results as a markdown table and a JSON file under bench/results/: a column per system, and
// per Yunying variant its speed-up over Orthanc in the same run and the issue's target for the row.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Machine } from './machine.ts';
import { LABELS, SYSTEMS, YUNYING_VARIANTS, type Recorder, type ScenarioSeries, type SystemName, type YunyingVariant } from './recorder.ts';
import { speedup, summarize, type Summary } from './stats.ts';
import { SEARCH_TARGET_SIZE, targetFor } from './targets.ts';

export interface RunInfo {
  readonly startedAt: Date;
  readonly finishedAt: Date;
  readonly command: string;
  readonly sizes: readonly string[];
  readonly rounds: number;
  readonly quick: boolean;
  /** The systems of the run (its columns), each with its version and setup or why it did not start. */
  readonly systems: Readonly<Partial<Record<SystemName, string>>>;
  /** Why a system or a protocol was not measured. */
  readonly missing: readonly string[];
  /** Peak RSS (MiB) per system, after each size and overall. */
  readonly memory: Readonly<Partial<Record<SystemName, Readonly<Record<string, number>>>>>;
}

/** One Yunying variant against Orthanc on one row. */
export interface Comparison {
  readonly speedup?: number;
  readonly target?: string;
  readonly met?: boolean;
}

export interface Row {
  readonly id: string;
  readonly title: string;
  readonly size: string;
  readonly unit: string;
  /** Median and spread of the rounds, per system that measured the row. */
  readonly systems: Readonly<Partial<Record<SystemName, Summary>>>;
  readonly versus: Readonly<Partial<Record<YunyingVariant, Comparison>>>;
  readonly counts: Readonly<Record<SystemName, number[]>>;
  readonly notes: readonly string[];
}

/** The systems of a run, in the table's column order. */
export function runSystems(info: Pick<RunInfo, 'systems'>): SystemName[] {
  return SYSTEMS.filter((name) => info.systems[name] !== undefined);
}

function runVariants(systems: readonly SystemName[]): YunyingVariant[] {
  return YUNYING_VARIANTS.filter((v) => systems.includes(v));
}

function countsDiffer(s: ScenarioSeries, variant: YunyingVariant): boolean {
  const [y, o] = [s.counts[variant], s.counts.orthanc];
  return y.length > 0 && o.length > 0 && y.join(',') !== o.join(',');
}

function compare(s: ScenarioSeries, variant: YunyingVariant, y: Summary | undefined, o: Summary | undefined, notes: string[]): Comparison {
  // A fast wrong answer is not a result: no speed-up when the two found different numbers of matches.
  const differ = countsDiffer(s, variant);
  if (differ) notes.push(`result counts differ (matches per round: ${LABELS[variant]} ${s.counts[variant].join('/')}, Orthanc ${s.counts.orthanc.join('/')}): no ${LABELS[variant]} speed-up given`);
  const x = y && o && !differ ? speedup(y.median, o.median, s.better) : undefined;
  const target = targetFor(s, variant);
  const met = target && y && x !== undefined && !Number.isNaN(x) ? target.met(y.median, x) : undefined;
  return { speedup: x, target: target?.text, met };
}

export function buildRows(rec: Recorder, systems: readonly SystemName[]): Row[] {
  return [...rec.scenarios.values()].map((s) => {
    const sum = (name: SystemName) => (s.values[name].length ? summarize(s.values[name]) : undefined);
    const summaries = Object.fromEntries(systems.map((name) => [name, sum(name)]).filter(([, v]) => v)) as Partial<Record<SystemName, Summary>>;
    const notes = [...s.notes];
    const versus = Object.fromEntries(runVariants(systems).map((v) => [v, compare(s, v, summaries[v], summaries.orthanc, notes)]));
    return { id: s.id, title: s.title, size: s.size, unit: s.unit, systems: summaries, versus, counts: s.counts, notes };
  });
}

/** Met and missed target rows of one Yunying variant. */
export interface TargetTally {
  readonly rows: number;
  readonly met: number;
  readonly missed: readonly string[];
  readonly notMeasured: readonly string[];
}

export function tallyTargets(rows: readonly Row[], variant: YunyingVariant): TargetTally {
  const judged = rows.filter((r) => r.versus[variant]?.target);
  const where = (r: Row) => `${r.title} @${r.size}`;
  return {
    rows: judged.length,
    met: judged.filter((r) => r.versus[variant]?.met === true).length,
    missed: judged.filter((r) => r.versus[variant]?.met === false).map(where),
    notMeasured: judged.filter((r) => r.versus[variant]?.met === undefined).map(where),
  };
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

function targetCell(c: Comparison | undefined): string {
  if (!c?.target) return '';
  if (c.met === undefined) return `${c.target}: not measured`;
  return `${c.target}: ${c.met ? 'met' : '**not met**'}`;
}

/** "embedded" or "cluster": the variant's name in column headings. */
function short(variant: YunyingVariant): string {
  return LABELS[variant].replace('Yunying ', '');
}

function table(rows: readonly Row[], systems: readonly SystemName[]): string[] {
  const variants = runVariants(systems);
  const head = ['Scenario', 'Size', 'Unit', ...systems.map((n) => `${LABELS[n]} median (min–max)`),
    ...variants.flatMap((v) => [`Speed-up, ${short(v)}`, `Target, ${short(v)}`])];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => '---|').join('')}`];
  for (const r of rows) {
    const comparisons = variants.flatMap((v) => {
      const x = r.versus[v]?.speedup;
      return [x === undefined ? '—' : `${num(x)}×`, targetCell(r.versus[v])];
    });
    lines.push(`| ${[r.title, r.size, r.unit, ...systems.map((n) => cell(r.systems[n])), ...comparisons].join(' | ')} |`);
  }
  return lines;
}

function memoryTable(info: RunInfo, systems: readonly SystemName[]): string[] {
  const lines = [`| System | ${info.sizes.map((s) => `after ${s}`).join(' | ')} | whole run |`, `|---|${info.sizes.map(() => '---|').join('')}---|`];
  for (const name of systems) {
    const m = info.memory[name] ?? {};
    lines.push(`| ${LABELS[name]} | ${info.sizes.map((s) => num(m[s] ?? Number.NaN)).join(' | ')} | ${num(m['run'] ?? Number.NaN)} |`);
  }
  if (systems.includes('yunying-cluster')) {
    lines.push('', 'Yunying cluster: the peaks of its four node processes added (an upper bound of the peak of their sum), without Cassandra and nats-server.');
  }
  return lines;
}

export function renderMarkdown(rec: Recorder, rows: readonly Row[], info: RunInfo, machine: Machine): string {
  const systems = runSystems(info);
  const minutes = ((info.finishedAt.getTime() - info.startedAt.getTime()) / 60_000).toFixed(1);
  const out = [
    `# ${systems.map((n) => LABELS[n]).join(', ')} side by side: ${info.startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    '',
    `Command: \`${info.command}\` (${minutes} min${info.quick ? '; **quick run: one round, tiny data, not for comparison**' : ''}). Sizes: ${info.sizes.join(', ')}; ${info.rounds} round(s), the ${systems.length} systems taking turns (who goes first rotates at every step).`,
    '',
    '## Machine',
    `- CPU: ${machine.cpu}, ${machine.cores} cores; RAM ${machine.ramGiB} GiB; kernel ${machine.kernel}; host ${machine.host}`,
    `- Disk (every server's data and the bench data): ${machine.disk}`,
    `- Node ${machine.node}; load average at the end: ${machine.load}`,
    ...systems.map((n) => `- ${LABELS[n]}: ${info.systems[n] ?? ''}`),
    '',
  ];
  if (info.missing.length) out.push('## Not measured', ...info.missing.map((m) => `- ${m}`), '');
  out.push('## Results', '',
    'Median of the rounds, with the lowest and highest round in brackets. Latency rows give the p50 or p95 of',
    'each round\'s requests. Speed-up: how many times better that Yunying variant did than Orthanc in this run',
    '(rates Y/O, latencies O/Y); above 1 means Yunying was better. Target: the issue\'s target for the row.', '', ...table(rows, systems), '');
  const refs = [...rec.references.values()];
  if (refs.length) {
    out.push('## Reference: the disk', '', '| Measurement | Unit | Median (min–max) |', '|---|---|---|');
    for (const r of refs) out.push(`| ${r.title} | ${r.unit} | ${cell(summarize(r.values))} |`);
    out.push('');
  }
  out.push('## Peak memory (RSS high-water mark, MiB)', '', ...memoryTable(info, systems), '');
  const noted = rows.filter((r) => r.notes.length);
  if (noted.length || rec.notes.length) {
    out.push('## Notes', '');
    for (const r of noted) for (const n of r.notes) out.push(`- ${r.title} (${r.size || 'largest size'}): ${n}`);
    for (const n of rec.notes) out.push(`- ${n}`);
    out.push('');
  }
  out.push('## Targets', '', ...targetSummary(rows, info, systems), '');
  return out.join('\n');
}

function targetSummary(rows: readonly Row[], info: RunInfo, systems: readonly SystemName[]): string[] {
  const lines: string[] = [];
  for (const variant of runVariants(systems)) {
    const t = tallyTargets(rows, variant);
    lines.push(`- ${LABELS[variant]}: ${t.met} of ${t.rows} target rows met; missed: ${t.missed.length ? t.missed.join('; ') : 'none'}${t.notMeasured.length ? `; not measured: ${t.notMeasured.join('; ')}` : ''}.`);
  }
  if (!info.sizes.includes(SEARCH_TARGET_SIZE)) lines.push(`- The search target (≥ 5× at ${SEARCH_TARGET_SIZE} instances) was not checked: this run did not reach ${SEARCH_TARGET_SIZE} (\`--sizes 1k,10k,50k\`).`);
  for (const variant of YUNYING_VARIANTS.filter((v) => !systems.includes(v))) {
    lines.push(`- ${LABELS[variant]} was not part of this run: its targets are checked by a run with both modes (\`--modes embedded,cluster\`, the default).`);
  }
  return lines;
}

/** "" when both Yunying variants ran, else "-embedded" or "-cluster". */
function modeSuffix(systems: readonly SystemName[]): string {
  const variants = runVariants(systems);
  return variants.length === 1 && variants[0] ? `-${short(variants[0])}` : '';
}

export function writeReport(dir: string, rec: Recorder, info: RunInfo, machine: Machine): { markdown: string; json: string } {
  mkdirSync(dir, { recursive: true });
  const systems = runSystems(info);
  const rows = buildRows(rec, systems);
  const targets = Object.fromEntries(runVariants(systems).map((v) => [v, tallyTargets(rows, v)]));
  const stamp = info.startedAt.toISOString().slice(0, 16).replace(':', '');
  const base = join(dir, `${stamp}-${machine.host}${modeSuffix(systems)}${info.quick ? '-quick' : ''}`);
  writeFileSync(`${base}.md`, renderMarkdown(rec, rows, info, machine));
  writeFileSync(`${base}.json`, `${JSON.stringify({ info, machine, rows, targets, references: Object.fromEntries(rec.references), notes: rec.notes }, null, 2)}\n`);
  return { markdown: `${base}.md`, json: `${base}.json` };
}
