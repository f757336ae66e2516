// Retrieve: series metadata of the 600-slice CT series (cold after a restart, then warm), single
// frames with 8 in flight, the 600-slice study as one multipart answer, and the raw read speed of the
// disk for the same files (O_DIRECT, no page cache) and through the page cache.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createAgent, httpGet, runPool } from '../clients/http-get.ts';
import { studyBytes, type StudyFiles } from '../data/prepare-data.ts';
import type { Recorder } from '../report/recorder.ts';
import type { BenchSystem } from '../servers/bench-system.ts';
import { PYTHON } from '../setup/ensure-tools.ts';
import { pick, seededRandom, takeTurns } from './alternate.ts';

const FRAME_ACCEPT = 'multipart/related; type="application/octet-stream"; transfer-syntax=*';
const STUDY_ACCEPT = 'multipart/related; type="application/dicom"; transfer-syntax=*';
const FRAME_CONCURRENCY = 8;

export interface RetrieveOptions {
  readonly size: string;
  readonly rounds: number;
  readonly warmRequests: number;
  readonly frameRequests: number;
}

function check(system: BenchSystem, what: string, status: number, bytes: number): void {
  if (status !== 200 || bytes === 0) throw new Error(`${system.name}: ${what}: HTTP ${status}, ${bytes} bytes`);
}

async function metadata(system: BenchSystem, ct600: StudyFiles, rec: Recorder, o: RetrieveOptions): Promise<void> {
  const series = ct600.series[0];
  if (!series) return;
  const url = `${system.dicomweb}/studies/${ct600.studyInstanceUid}/series/${series.seriesInstanceUid}/metadata`;
  const headers = { ...system.headers, accept: 'application/dicom+json' };
  await system.restart();
  const agent = createAgent(1);
  try {
    const cold = await httpGet(url, headers, agent, true);
    check(system, 'series metadata', cold.status, cold.bytes);
    // A fast answer must also be a whole one: one metadata object per instance.
    const items = JSON.parse(cold.body?.toString('utf8') ?? '[]') as unknown[];
    if (items.length !== series.instances.length) throw new Error(`${system.name}: series metadata lists ${items.length} of ${series.instances.length} instances`);
    rec.addValue('retrieve.metadata.cold', 'Series metadata, 600-slice CT, cold (first after restart) (ms)', 'ms', o.size, system.name, cold.ms);
    const warm: number[] = [];
    for (let k = 0; k < o.warmRequests; k++) {
      const r = await httpGet(url, headers, agent);
      check(system, 'series metadata', r.status, r.bytes);
      warm.push(r.ms);
    }
    rec.addLatencies('retrieve.metadata.warm', 'Series metadata, 600-slice CT, warm', o.size, system.name, warm);
  } finally {
    agent.destroy();
  }
}

async function frames(system: BenchSystem, urls: readonly string[], rec: Recorder, o: RetrieveOptions): Promise<void> {
  const agent = createAgent(FRAME_CONCURRENCY);
  const headers = { ...system.headers, accept: FRAME_ACCEPT };
  const samples: number[] = [];
  const start = performance.now();
  try {
    await runPool(urls, FRAME_CONCURRENCY, async (url) => {
      const r = await httpGet(url, headers, agent);
      check(system, 'frame', r.status, r.bytes);
      samples.push(r.ms);
    });
  } finally {
    agent.destroy();
  }
  const seconds = (performance.now() - start) / 1000;
  rec.addLatencies('retrieve.frame', `Single frame (${FRAME_CONCURRENCY} in flight)`, o.size, system.name, samples);
  rec.addValue('retrieve.frame.rate', `Single frames/s (${FRAME_CONCURRENCY} in flight)`, 'frames/s', o.size, system.name, samples.length / seconds);
}

async function wholeStudy(system: BenchSystem, ct600: StudyFiles, rec: Recorder, o: RetrieveOptions): Promise<void> {
  const agent = createAgent(1);
  try {
    const r = await httpGet(`${system.dicomweb}/studies/${ct600.studyInstanceUid}`, { ...system.headers, accept: STUDY_ACCEPT }, agent);
    check(system, 'whole study', r.status, r.bytes);
    if (r.bytes < studyBytes(ct600)) throw new Error(`${system.name}: whole study answered ${r.bytes} bytes, the study's files hold ${studyBytes(ct600)}`);
    rec.addValue('retrieve.study', 'Whole study as multipart, 600-slice CT (MB/s)', 'MB/s', o.size, system.name, r.bytes / 1e6 / (r.ms / 1000));
  } finally {
    agent.destroy();
  }
}

/** MB/s of reading the study's files with O_DIRECT (python helper) and through the page cache. */
async function diskRead(ct600: StudyFiles): Promise<{ direct: number; cached: number }> {
  const files = ct600.series.flatMap((s) => s.instances.map((i) => i.file));
  const out = await new Promise<string>((resolve, reject) => {
    const child = spawn(PYTHON, [join(import.meta.dirname, '..', 'data', 'read-direct.py'), ...files], { stdio: ['ignore', 'pipe', 'inherit'] });
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => { text += chunk.toString(); });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(text) : reject(new Error(`read-direct.py exited ${String(code)}`))));
  });
  const [bytes = 0, seconds = 1] = out.trim().split(/\s+/).map(Number);
  const start = performance.now();
  let cachedBytes = 0;
  for (const file of files) cachedBytes += readFileSync(file).length;
  return { direct: bytes / 1e6 / seconds, cached: cachedBytes / 1e6 / ((performance.now() - start) / 1000) };
}

export async function runRetrieve(systems: readonly BenchSystem[], studies: readonly StudyFiles[], ct600: StudyFiles, rec: Recorder, o: RetrieveOptions, log: (line: string) => void): Promise<void> {
  const random = seededRandom(77);
  for (let round = 0; round < o.rounds; round++) {
    const frameUrls = Array.from({ length: o.frameRequests }, () => {
      const study = pick(studies, random);
      const series = pick(study.series, random);
      const instance = pick(series.instances, random);
      return `/studies/${study.studyInstanceUid}/series/${series.seriesInstanceUid}/instances/${instance.sopInstanceUid}/frames/1`;
    });
    const attempt = async (id: string, system: BenchSystem, work: () => Promise<void>) => {
      try {
        await work();
      } catch (error) {
        rec.note(id, `${system.name}: ${(error as Error).message}`);
      }
    };
    for await (const system of takeTurns(systems, round, rec)) await attempt('retrieve.metadata.warm.p50', system, () => metadata(system, ct600, rec, o));
    for await (const system of takeTurns(systems, round + 1, rec)) await attempt('retrieve.frame.p95', system, () => frames(system, frameUrls.map((u) => `${system.dicomweb}${u}`), rec, o));
    for await (const system of takeTurns(systems, round + 2, rec)) await attempt('retrieve.study', system, () => wholeStudy(system, ct600, rec, o));
    const disk = await diskRead(ct600);
    rec.addReference('disk.direct', `Read of the 600-slice study's files, O_DIRECT (${(studyBytes(ct600) / 1e6).toFixed(1)} MB)`, 'MB/s', disk.direct);
    rec.addReference('disk.cached', 'Read of the same files through the page cache', 'MB/s', disk.cached);
    log(`retrieve round ${round + 1}: done`);
  }
}
