// Search at the archive's current size: QIDO-RS studies by PatientID, by date range + modality, by
// patient-name wildcard (Latin, and Chinese percent-encoded), series of a study; C-FIND by Chinese
// name. Every system answers the same queries; result counts are kept to show they agree.
import { echo, findStudies } from '../clients/dcmtk.ts';
import { createAgent, getDicomJson } from '../clients/http-get.ts';
import type { StudyFiles } from '../data/prepare-data.ts';
import type { Recorder } from '../report/recorder.ts';
import type { BenchSystem } from '../servers/bench-system.ts';
import { pick, seededRandom, takeTurns } from './alternate.ts';

/** A query: a QIDO path (under /dicom-web) or C-FIND keys. */
type Query =
  | { readonly kind: 'qido'; readonly path: string }
  | { readonly kind: 'cfind'; readonly keys: Readonly<Record<string, string>> }
  | { readonly kind: 'cecho' };

interface SearchScenario {
  readonly id: string;
  readonly title: string;
  make(random: () => number): Query;
}

function surnames(study: StudyFiles): { latin: string; hanzi: string } {
  const [latin = '', ideographic = ''] = study.patientName.split('=');
  return { latin: latin.split('^')[0] ?? '', hanzi: ideographic.split('^')[0] ?? '' };
}

function dateWindow(random: () => number): string {
  const start = new Date(Date.UTC(2024, 0, 1) + Math.floor(random() * 351) * 86_400_000);
  const end = new Date(start.getTime() + 13 * 86_400_000);
  const da = (d: Date) => d.toISOString().slice(0, 10).replaceAll('-', '');
  return `${da(start)}-${da(end)}`;
}

export function searchScenarios(studies: readonly StudyFiles[]): SearchScenario[] {
  return [
    { id: 'search.qido.patient-id', title: 'QIDO studies by PatientID',
      make: (r) => ({ kind: 'qido', path: `/studies?PatientID=${pick(studies, r).patientId}` }) },
    { id: 'search.qido.date-modality', title: 'QIDO studies by date range (14 days) + ModalitiesInStudy',
      make: (r) => ({ kind: 'qido', path: `/studies?StudyDate=${dateWindow(r)}&ModalitiesInStudy=${r() < 0.5 ? 'CT' : 'MR'}` }) },
    { id: 'search.qido.name-latin', title: 'QIDO studies by PatientName wildcard (Wang*)',
      make: (r) => ({ kind: 'qido', path: `/studies?PatientName=${surnames(pick(studies, r)).latin}*` }) },
    { id: 'search.qido.name-chinese', title: 'QIDO studies by PatientName wildcard (*王*, percent-encoded)',
      make: (r) => ({ kind: 'qido', path: `/studies?PatientName=${encodeURIComponent(`*${surnames(pick(studies, r)).hanzi}*`)}` }) },
    { id: 'search.qido.series', title: 'QIDO series of a study',
      make: (r) => ({ kind: 'qido', path: `/studies/${pick(studies, r).studyInstanceUid}/series` }) },
    { id: 'search.cfind.name-chinese', title: 'C-FIND studies by PatientName (*王*, findscu)',
      make: (r) => ({ kind: 'cfind', keys: { PatientName: `*${surnames(pick(studies, r)).hanzi}*` } }) },
    { id: 'search.cecho', title: 'C-ECHO, echoscu (the process and association cost inside each C-FIND time)',
      make: () => ({ kind: 'cecho' }) },
  ];
}

function isDimse(scenario: SearchScenario): boolean {
  return scenario.id.startsWith('search.c');
}

async function ask(system: BenchSystem, query: Query, agent: ReturnType<typeof createAgent>): Promise<{ ms: number; count: number }> {
  const start = performance.now();
  switch (query.kind) {
    case 'qido': {
      const { items } = await getDicomJson(`${system.dicomweb}${query.path}`, system.headers, agent);
      return { ms: performance.now() - start, count: items.length };
    }
    case 'cfind': {
      const count = await findStudies(system.dicom, query.keys);
      return { ms: performance.now() - start, count };
    }
    case 'cecho':
      await echo(system.dicom);
      return { ms: performance.now() - start, count: 0 };
  }
}

export interface SearchOptions {
  readonly size: string;
  readonly rounds: number;
  readonly queriesPerRound: number;
  readonly dimse: ReadonlySet<BenchSystem>;
}

export async function runSearch(systems: readonly BenchSystem[], studies: readonly StudyFiles[], rec: Recorder, options: SearchOptions, log: (line: string) => void): Promise<void> {
  const agent = createAgent(1);
  try {
    for (const [s, scenario] of searchScenarios(studies).entries()) {
      const random = seededRandom(1000 * (s + 1) + studies.length);
      const perRound = isDimse(scenario) ? Math.max(5, Math.ceil(options.queriesPerRound / 2)) : options.queriesPerRound;
      const warmup = Array.from({ length: 3 }, () => scenario.make(random));
      const rounds = Array.from({ length: options.rounds }, () => Array.from({ length: perRound }, () => scenario.make(random)));
      const id = `${scenario.id}@${options.size}`;
      for (const system of systems) {
        if (isDimse(scenario) && !options.dimse.has(system)) continue;
        for (const query of warmup) await ask(system, query, agent).catch(() => undefined);
      }
      for (const [round, queries] of rounds.entries()) {
        for await (const system of takeTurns(systems, round + s, rec)) {
          if (isDimse(scenario) && !options.dimse.has(system)) {
            rec.note(`${id}.p50`, `${system.name}: C-FIND not measured (its DIMSE port did not answer C-ECHO)`);
            continue;
          }
          const samples: number[] = [];
          let matches = 0;
          try {
            for (const query of queries) {
              const { ms, count } = await ask(system, query, agent);
              samples.push(ms);
              matches += count;
            }
          } catch (error) {
            // A failing query is a result too: it is reported, never timed.
            rec.note(`${id}.p50`, `${system.name}: ${(error as Error).message}`);
            continue;
          }
          rec.addLatencies(id, scenario.title, options.size, system.name, samples);
          rec.addCount(`${id}.p50`, system.name, matches);
          rec.addCount(`${id}.p95`, system.name, matches);
        }
      }
      if (scenario.id === 'search.qido.name-chinese') {
        rec.note(`${id}.p50`, 'Orthanc 1.10\'s QIDO does not decode percent-encoded non-ASCII values (TESTKIT.md): for Chinese names its C-FIND row is the reference');
      }
      log(`${id}: done`);
    }
  } finally {
    agent.destroy();
  }
}
