// Ingest: C-STORE with dcmsend (1 and 4 associations) and STOW-RS (1 and 8 clients, one request per
// study). The studies new at this size are dealt into one chunk per (round, variant); every system
// stores the same chunk, one after the other, and who goes first rotates.
import { dcmsend } from '../clients/dcmtk.ts';
import { createAgent, runPool } from '../clients/http-get.ts';
import { stowStudy } from '../clients/stow-client.ts';
import { studyBytes, studyInstances, type StudyFiles } from '../data/prepare-data.ts';
import type { Recorder } from '../report/recorder.ts';
import type { BenchSystem } from '../servers/bench-system.ts';
import { takeTurns } from './alternate.ts';

interface Variant {
  readonly id: string;
  readonly title: string;
  readonly dimse: boolean;
  readonly parallel: number;
}

export const INGEST_VARIANTS: readonly Variant[] = [
  { id: 'ingest.cstore.1', title: 'C-STORE, dcmsend, 1 association', dimse: true, parallel: 1 },
  { id: 'ingest.cstore.4', title: 'C-STORE, dcmsend, 4 associations', dimse: true, parallel: 4 },
  { id: 'ingest.stow.1', title: 'STOW-RS, 1 client', dimse: false, parallel: 1 },
  { id: 'ingest.stow.8', title: 'STOW-RS, 8 clients', dimse: false, parallel: 8 },
];

interface Stored {
  readonly stored: number;
  readonly failed: number;
}

async function ingestCStore(system: BenchSystem, studies: readonly StudyFiles[], parallel: number): Promise<Stored> {
  const groups = Array.from({ length: parallel }, (_, k) => studies.filter((_, i) => i % parallel === k).map((s) => s.dir)).filter((g) => g.length);
  const outcomes = await Promise.all(groups.map((folders) => dcmsend(system.dicom, folders)));
  return outcomes.reduce((sum, o) => ({ stored: sum.stored + o.stored, failed: sum.failed + o.failed }), { stored: 0, failed: 0 });
}

async function ingestStow(system: BenchSystem, studies: readonly StudyFiles[], parallel: number): Promise<Stored> {
  const agent = createAgent(parallel);
  let stored = 0;
  let failed = 0;
  try {
    await runPool(studies, parallel, async (study) => {
      const parts = study.series.flatMap((s) => s.instances.map((i) => ({ file: i.file, bytes: i.bytes })));
      const outcome = await stowStudy(`${system.dicomweb}/studies`, parts, system.headers, agent);
      const ok = outcome.status === 200 || outcome.status === 202 ? outcome.stored : 0;
      stored += ok;
      failed += parts.length - ok;
    });
  } finally {
    agent.destroy();
  }
  return { stored, failed };
}

export async function ingestOnce(system: BenchSystem, studies: readonly StudyFiles[], dimse: boolean, parallel: number): Promise<Stored & { seconds: number }> {
  const start = performance.now();
  const result = dimse ? await ingestCStore(system, studies, parallel) : await ingestStow(system, studies, parallel);
  return { ...result, seconds: (performance.now() - start) / 1000 };
}

export interface IngestOptions {
  readonly size: string;
  readonly rounds: number;
  /** Systems without DIMSE get their C-STORE variants skipped (and the report says so). */
  readonly dimse: ReadonlySet<BenchSystem>;
}

export async function runIngest(systems: readonly BenchSystem[], studies: readonly StudyFiles[], rec: Recorder, options: IngestOptions, log: (line: string) => void): Promise<void> {
  const chunks = INGEST_VARIANTS.length * options.rounds;
  const dealt: StudyFiles[][] = Array.from({ length: chunks }, () => []);
  studies.forEach((study, i) => dealt[i % chunks]?.push(study));
  for (let round = 0; round < options.rounds; round++) {
    for (const [v, variant] of INGEST_VARIANTS.entries()) {
      const step = round * INGEST_VARIANTS.length + v;
      const chunk = dealt[step] ?? [];
      const instances = chunk.reduce((n, s) => n + studyInstances(s), 0);
      const megabytes = chunk.reduce((n, s) => n + studyBytes(s), 0) / 1e6;
      if (instances === 0) continue;
      for await (const system of takeTurns(systems, step, rec)) {
        const id = `${variant.id}@${options.size}`;
        if (variant.dimse && !options.dimse.has(system)) {
          // The data must stay the same on every system: store the chunk, but do not time it.
          await ingestOnce(system, chunk, false, 8);
          rec.note(`${id}.rate`, `${system.name}: C-STORE not measured (its DIMSE port did not answer C-ECHO); the chunk was stored with STOW-RS instead`);
          continue;
        }
        const result = await ingestOnce(system, chunk, variant.dimse, variant.parallel);
        log(`${id} ${system.name}: ${result.stored}/${instances} stored in ${result.seconds.toFixed(1)} s`);
        rec.addValue(`${id}.rate`, `Ingest ${variant.title} (inst/s)`, 'inst/s', options.size, system.name, result.stored / result.seconds);
        rec.addValue(`${id}.mbps`, `Ingest ${variant.title} (MB/s)`, 'MB/s', options.size, system.name, (megabytes * result.stored) / instances / result.seconds);
        if (result.failed > 0) rec.note(`${id}.rate`, `${system.name}: ${result.failed} of ${instances} instances not stored in round ${round + 1}`);
      }
    }
  }
}
