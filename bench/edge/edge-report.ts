// The edge bench's result: a markdown table and a JSON file under bench/results/, with the machine
// and the link it measured.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Machine } from '../report/machine.ts';
import { summarize, type Summary } from '../report/stats.ts';
import type { FirstFrame, SeriesRead } from './series-reads.ts';

export interface EdgeCase {
  readonly id: string;
  readonly title: string;
  /** What the row's source setting was (cache, prefetch, link). */
  readonly setup: string;
  readonly firstFrames: readonly FirstFrame[];
  readonly reads: readonly SeriesRead[];
}

export interface EdgeRun {
  readonly startedAt: Date;
  readonly finishedAt: Date;
  readonly command: string;
  readonly series: { readonly instances: number; readonly rows: number; readonly columns: number; readonly bytesPerFrame: number };
  readonly link: { readonly latencyMsEachWay: number; readonly mbitPerSecond: number; readonly bytesUp: number; readonly bytesDown: number };
  readonly inFlight: number;
  readonly cases: readonly EdgeCase[];
  readonly notes: readonly string[];
}

function num(v: number): string {
  if (Number.isNaN(v)) return '—';
  if (Math.abs(v) >= 100) return v.toFixed(0);
  if (Math.abs(v) >= 10) return v.toFixed(1);
  return v.toFixed(2);
}

function cell(s: Summary): string {
  return s.rounds > 1 ? `${num(s.median)} (${num(s.min)}–${num(s.max)})` : num(s.median);
}

function sources(c: EdgeCase): string {
  const total: Record<string, number> = {};
  for (const r of c.reads) for (const [k, v] of Object.entries(r.sources)) total[k] = (total[k] ?? 0) + v;
  for (const f of c.firstFrames) total[f.source] = (total[f.source] ?? 0) + 1;
  return Object.entries(total).map(([k, v]) => `${k} ${v}`).join(', ');
}

export function renderEdgeMarkdown(run: EdgeRun, machine: Machine): string {
  const s = run.series;
  const lines = [
    `# Edge retrieval: ${run.startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    '',
    `Command: \`${run.command}\` (${((run.finishedAt.getTime() - run.startedAt.getTime()) / 60_000).toFixed(1)} min).`,
    `Series: ${s.instances} slices, ${s.rows}x${s.columns} 16-bit native (${(s.bytesPerFrame / 1024).toFixed(0)} KiB a frame, ${(s.instances * s.bytesPerFrame / 1e6).toFixed(0)} MB).`,
    `Hospital link: the hospital's nats-server dials the city's leafnode port through a proxy adding ${run.link.latencyMsEachWay} ms each way (${2 * run.link.latencyMsEachWay} ms round trip) and capping each direction at ${run.link.mbitPerSecond} Mbit/s (bench/link/slow-link.ts); ${(run.link.bytesUp / 1e6).toFixed(0)} MB crossed it hospital to city and ${(run.link.bytesDown / 1e6).toFixed(0)} MB city to hospital during the run.`,
    `Full series: every frame, ${run.inFlight} requests in flight, each checked byte for byte against the pixels sent.`,
    '',
    '## Machine',
    `- CPU: ${machine.cpu}, ${machine.cores} cores; RAM ${machine.ramGiB} GiB; kernel ${machine.kernel}; host ${machine.host}`,
    `- Disk: ${machine.disk}`,
    `- Node ${machine.node}; load average at the end: ${machine.load}`,
    '- Everything on one machine over loopback: the city (1 front node, 2 storage nodes, SQLite index), the hospital edge, both nats-servers, the proxy and the client.',
    '',
    '## Results',
    '',
    'Median of the rounds, lowest and highest in brackets. Time to first frame = series metadata, then frame 1.',
    '',
    '| Served from | Setup | Time to first frame (ms) | Frame 1 alone (ms) | Full series (MB/s) | Full series (frames/s) | Sources seen (frames) |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const c of run.cases) {
    const ttff = summarize(c.firstFrames.map((f) => f.ms));
    const frame = summarize(c.firstFrames.map((f) => f.frameMs));
    const mb = summarize(c.reads.map((r) => r.mbPerSecond));
    const fps = summarize(c.reads.map((r) => r.framesPerSecond));
    lines.push(`| ${c.title} | ${c.setup} | ${cell(ttff)} | ${cell(frame)} | ${cell(mb)} | ${cell(fps)} | ${sources(c)} |`);
  }
  lines.push('', '## Notes', ...run.notes.map((n) => `- ${n}`), '');
  return lines.join('\n');
}

export function writeEdgeReport(dir: string, run: EdgeRun, machine: Machine): { md: string; json: string } {
  mkdirSync(dir, { recursive: true });
  const stamp = run.startedAt.toISOString().slice(0, 16).replace(':', '');
  const md = join(dir, `${stamp}-edge.md`);
  const json = join(dir, `${stamp}-edge.json`);
  writeFileSync(md, renderEdgeMarkdown(run, machine));
  writeFileSync(json, `${JSON.stringify({ ...run, machine }, null, 2)}\n`);
  return { md, json };
}
