// The benchmark: `node bench/run.ts [--sizes 1k,10k] [--rounds 3] [--modes embedded,cluster] [--quick] [--keep]`
// (npm run bench). Installs what is missing, prepares the data, starts Orthanc, Yunying's embedded default
// and Yunying in cluster mode on the same disk, runs every scenario with the systems taking turns, and
// writes one bench/results/<date>-<machine>.md and .json.
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { spawnSync } from 'node:child_process';
import { createAgent, getDicomJson } from './clients/http-get.ts';
import { prepareData, studyInstances, type StudyFiles } from './data/prepare-data.ts';
import { describeMachine } from './report/machine.ts';
import { Recorder, type SystemName, type YunyingVariant } from './report/recorder.ts';
import { writeReport } from './report/write-report.ts';
import { takeTurns } from './scenarios/alternate.ts';
import { ingestOnce, runIngest } from './scenarios/ingest.ts';
import { runRetrieve } from './scenarios/retrieve.ts';
import { runSearch } from './scenarios/search.ts';
import type { BenchSystem } from './servers/bench-system.ts';
import { MemorySampler } from './servers/memory-sampler.ts';
import { startOrthanc } from './servers/orthanc.ts';
import { checkClusterServices } from './servers/yunying-cluster.ts';
import { startYunying, type YunyingMode } from './servers/yunying.ts';
import { ensureTools } from './setup/ensure-tools.ts';

const BENCH = import.meta.dirname;
const QUICK_INSTANCES = 100;
/** The system name each Yunying mode is reported under. */
const VARIANT_OF: Readonly<Record<YunyingMode, YunyingVariant>> = { embedded: 'yunying', cluster: 'yunying-cluster' };

function log(line: string): void {
  console.error(`${new Date().toISOString().slice(11, 19)} bench: ${line}`);
}

function options() {
  const { values } = parseArgs({ options: {
    sizes: { type: 'string', default: '1k,10k' }, rounds: { type: 'string' }, quick: { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false }, modes: { type: 'string' }, cluster: { type: 'boolean', default: false },
    work: { type: 'string', default: join(BENCH, 'work') },
  } });
  const sizes = values.quick ? ['100'] : values.sizes.split(',').map((s) => s.trim());
  for (const s of sizes) if (!/^\d+k$/.test(s) && !values.quick) throw new Error(`--sizes: "${s}" is not a size like 1k, 10k or 50k`);
  return { ...values, sizes, rounds: Number(values.rounds ?? (values.quick ? 1 : 3)), modes: modes(values.modes, values.cluster) };
}

/** --modes embedded,cluster (the default); --cluster, kept from earlier runs, means --modes cluster. */
function modes(list: string | undefined, cluster: boolean): YunyingMode[] {
  if (cluster && list !== undefined && list !== 'cluster') throw new Error('--cluster is --modes cluster: give one of them');
  const names = cluster ? ['cluster'] : (list ?? 'embedded,cluster').split(',').map((m) => m.trim());
  const picked = (Object.keys(VARIANT_OF) as YunyingMode[]).filter((m) => names.includes(m));
  const unknown = names.filter((m) => !(m in VARIANT_OF));
  if (unknown.length) throw new Error(`--modes: "${list ?? ''}" is not a list of embedded and cluster`);
  return picked;
}

/** The studies of each size level (cumulative: a level adds to what the earlier ones stored). */
function levels(units: readonly (readonly StudyFiles[])[], sizes: readonly string[], quick: boolean): StudyFiles[][] {
  if (quick) {
    const picked: StudyFiles[] = [];
    for (const study of units[0] ?? []) {
      if (picked.reduce((n, s) => n + studyInstances(s), 0) >= QUICK_INSTANCES) break;
      picked.push(study);
    }
    return [picked];
  }
  let done = 0;
  return sizes.map((size) => {
    const upTo = Number(size.slice(0, -1));
    const added = units.slice(done, upTo).flat();
    done = Math.max(done, upTo);
    return added;
  });
}

/** A system takes part when its DICOMweb answers; its DIMSE scenarios when C-ECHO does. */
async function probe(system: BenchSystem, missing: string[]): Promise<{ web: boolean; dimse: boolean }> {
  const agent = createAgent(1);
  let web = true;
  try {
    await getDicomJson(`${system.dicomweb}/studies?limit=1`, system.headers, agent);
  } catch (error) {
    web = false;
    missing.push(`${system.name}: DICOMweb did not answer (${(error as Error).message}); no scenario ran against it.`);
  } finally {
    agent.destroy();
  }
  const d = system.dicom;
  const echo = spawnSync('echoscu', ['-aet', 'YYBENCH', '-aec', d.aeTitle, '-to', '5', '-ta', '5', '-td', '5', d.host, String(d.port)]);
  if (echo.status !== 0) missing.push(`${system.name}: C-ECHO to ${d.aeTitle}@${d.port} failed; its C-STORE and C-FIND scenarios did not run.`);
  return { web, dimse: echo.status === 0 };
}

/** Checks that every system holds every study sent so far (a fast failed ingest must not pass). */
async function verifyStored(systems: readonly BenchSystem[], expected: readonly StudyFiles[], rec: Recorder, size: string): Promise<void> {
  const agent = createAgent(1);
  try {
    for (const system of systems) {
      const { items } = await getDicomJson(`${system.dicomweb}/studies?includefield=00201208&limit=10000`, system.headers, agent);
      const instances = items.reduce<number>((n, item) => {
        const v = (item as Record<string, { Value?: unknown[] } | undefined>)['00201208']?.Value?.[0];
        return n + (typeof v === 'number' ? v : Number(v ?? 0));
      }, 0);
      const want = expected.reduce((n, s) => n + studyInstances(s), 0);
      const line = `${system.name} at ${size}: ${items.length} studies / ${instances} instances found by QIDO, ${expected.length} / ${want} sent`;
      log(line);
      if (items.length !== expected.length || instances !== want) rec.notes.push(`Stored data check: ${line}.`);
    }
  } finally {
    agent.destroy();
  }
}

/**
 * Starts Orthanc, then each Yunying mode, one after the other, each in a directory of its own under the
 * run's; a Yunying variant that does not start is reported, not fatal. Returned in column order.
 */
async function startSystems(runDir: string, modes: readonly YunyingMode[], missing: string[]): Promise<{ all: BenchSystem[]; described: Partial<Record<SystemName, string>> }> {
  const orthanc = await startOrthanc(join(runDir, 'orthanc'));
  const all: BenchSystem[] = [];
  const described: Partial<Record<SystemName, string>> = {};
  for (const mode of modes) {
    const name = VARIANT_OF[mode];
    try {
      const system = await startYunying(mode, join(runDir, name));
      all.push(system);
      described[name] = system.description;
    } catch (error) {
      described[name] = 'did not start';
      missing.push(`${name}: did not start (${(error as Error).message.slice(0, 300)}); no scenario ran against it.`);
    }
  }
  all.push(orthanc);
  described.orthanc = orthanc.description;
  return { all, described };
}

async function main(): Promise<void> {
  const o = options();
  const startedAt = new Date();
  // A requested cluster mode whose services are missing ends the run before any work, never silently.
  if (o.modes.includes('cluster')) await checkClusterServices();
  const installed = ensureTools(log);
  if (installed.length) log(`installed ${installed.join(', ')}`);
  const maxUnits = o.quick ? 1 : Math.max(...o.sizes.map((s) => Number(s.slice(0, -1))));
  const data = await prepareData(o.work, maxUnits, log);
  const runDir = join(o.work, 'runs', startedAt.toISOString().replace(/[:.]/g, '-'));
  mkdirSync(runDir, { recursive: true });
  const rec = new Recorder();
  const missing: string[] = [];
  log(`starting Yunying (${o.modes.join(', ')}) and Orthanc under ${runDir}`);
  const { all, described } = await startSystems(runDir, o.modes, missing);
  const samplers = new Map(all.map((s) => [s.name, new MemorySampler(s)]));
  const memory: Partial<Record<SystemName, Record<string, number>>> = Object.fromEntries(all.map((s) => [s.name, {}]));
  try {
    const systems: BenchSystem[] = [];
    const dimse = new Set<BenchSystem>();
    for (const system of all) {
      const p = await probe(system, missing);
      if (p.web) systems.push(system);
      if (p.web && p.dimse) dimse.add(system);
    }
    if (systems.length === 0) throw new Error('no system answers DICOMweb');
    for await (const system of takeTurns(systems, 0, rec)) await ingestOnce(system, [data.ct600], false, 1);
    const present: StudyFiles[] = [];
    for (const [k, added] of levels(data.units, o.sizes, o.quick).entries()) {
      const size = o.sizes[k] ?? '';
      log(`size ${size}: ingesting ${added.reduce((n, s) => n + studyInstances(s), 0)} instances in ${added.length} studies`);
      await runIngest(systems, added, rec, { size, rounds: o.rounds, dimse }, log);
      present.push(...added);
      await verifyStored(systems, [data.ct600, ...present], rec, size);
      await runSearch(systems, present, rec, { size, rounds: o.rounds, queriesPerRound: o.quick ? 10 : 40, dimse }, log);
      for (const s of all) (memory[s.name] ??= {})[size] = samplers.get(s.name)?.peak() ?? Number.NaN;
    }
    const largest = o.sizes.at(-1) ?? '';
    await runRetrieve(systems, present, data.ct600, rec, { size: largest, rounds: o.rounds, warmRequests: 5, frameRequests: o.quick ? 40 : 200 }, log);
  } catch (error) {
    // A server killed from outside (a shared machine) shows here as a connection error: say which.
    const ended = all.map((s) => [s.name, s.unexpectedExit()]).filter(([, why]) => why);
    throw new Error(`${(error as Error).message}${ended.map(([n, why]) => `; ${n} ended unexpectedly (${why})`).join('')}`, { cause: error });
  } finally {
    for (const s of all) {
      (memory[s.name] ??= {})['run'] = samplers.get(s.name)?.peak() ?? Number.NaN;
      samplers.get(s.name)?.stop();
      await s.stop();
    }
    if (!o.keep) rmSync(runDir, { recursive: true, force: true });
  }
  const info = {
    startedAt, finishedAt: new Date(), command: `node bench/run.ts ${process.argv.slice(2).join(' ')}`.trim(),
    sizes: o.sizes, rounds: o.rounds, quick: o.quick, systems: described, missing, memory,
  };
  // Quick runs are for trying the harness: they stay in the (gitignored) work directory.
  const files = writeReport(o.quick ? join(o.work, 'results') : join(BENCH, 'results'), rec, info, describeMachine(o.work));
  log(`wrote ${files.markdown} and ${files.json}`);
}

try {
  await main();
} catch (error) {
  log(`failed: ${(error as Error).stack ?? String(error)}`);
  process.exitCode = 1;
}
