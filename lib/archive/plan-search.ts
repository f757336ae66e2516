// The access path of a search: which lookup table yields the candidate studies. Every matcher is still
// evaluated on each candidate, so the plan only has to return a superset of the matches, and the most
// selective available path wins: study UIDs, PatientID, AccessionNumber, a patient-name token, the
// study-date range (with a modality), and otherwise every study date, newest first (bounded).
import type { IndexEngine } from '../index-model/index-engine.ts';
import type { Matcher, QueryLevel } from '../dicom-query/query.ts';
import { ARCHIVE_TABLES } from './archive-schema.ts';
import { TAG } from './level-attributes.ts';
import { tokenForPattern } from './name-tokens.ts';
import { collectPartition, scanPartition, text } from './scan-partition.ts';
import { allBuckets } from './study-bucket.ts';
import { DATES_SCOPE } from './study-lookups.ts';

const DATES_IN_FLIGHT = 4;

export type StudySource =
  | { readonly kind: 'uids'; readonly uids: readonly string[] }
  | { readonly kind: 'patient'; readonly patientId: string; readonly issuer?: string }
  | { readonly kind: 'accession'; readonly accession: string }
  | { readonly kind: 'nameToken'; readonly token: string }
  | { readonly kind: 'dates'; readonly from?: string; readonly to?: string; readonly modality?: string };

function find(matchers: readonly Matcher[], tag: string): Matcher | undefined {
  return matchers.find((m) => m.tag === tag);
}

function exactValue(matcher: Matcher | undefined): string | undefined {
  return matcher?.kind === 'Single' && matcher.value !== '' ? matcher.value : undefined;
}

function uidsOf(matcher: Matcher | undefined): readonly string[] | undefined {
  if (matcher?.kind === 'UidList') return matcher.uids;
  const single = exactValue(matcher);
  return single === undefined ? undefined : [single];
}

function dateBounds(matcher: Matcher | undefined): { from?: string; to?: string } {
  const digits = (s: string | undefined) => (s === undefined ? undefined : s.replace(/\D/gu, '').slice(0, 8));
  if (matcher?.kind === 'Range') {
    const from = digits(matcher.from);
    const to = digits(matcher.to);
    return { ...(from ? { from } : {}), ...(to ? { to } : {}) };
  }
  const single = digits(exactValue(matcher));
  return single ? { from: single, to: single } : {};
}

export function planStudySource(matchers: readonly Matcher[], level: QueryLevel): StudySource {
  const uids = uidsOf(find(matchers, TAG.StudyInstanceUID));
  if (uids) return { kind: 'uids', uids };
  const patientId = exactValue(find(matchers, TAG.PatientID));
  if (patientId !== undefined) {
    const issuer = exactValue(find(matchers, TAG.IssuerOfPatientID));
    return { kind: 'patient', patientId, ...(issuer !== undefined ? { issuer } : {}) };
  }
  const accession = exactValue(find(matchers, TAG.AccessionNumber));
  if (accession !== undefined) return { kind: 'accession', accession };
  const name = find(matchers, TAG.PatientName);
  const namePattern = name?.kind === 'Wildcard' ? name.pattern : exactValue(name);
  const token = namePattern === undefined ? undefined : tokenForPattern(namePattern);
  if (token !== undefined) return { kind: 'nameToken', token };
  // Modality is a series attribute: it narrows the walk only where series are matched.
  const seriesModality = level === 'series' || level === 'instance' ? exactValue(find(matchers, TAG.Modality)) : undefined;
  const modality = exactValue(find(matchers, TAG.ModalitiesInStudy)) ?? seriesModality;
  return { kind: 'dates', ...dateBounds(find(matchers, TAG.StudyDate)), ...(modality !== undefined ? { modality } : {}) };
}

async function* studyDates(engine: IndexEngine, from?: string, to?: string): AsyncGenerator<string> {
  const range = {
    ...(from ? { from: { value: from, inclusive: true } } : {}),
    ...(to ? { to: { value: to, inclusive: true } } : {}),
  };
  for await (const row of scanPartition(engine, ARCHIVE_TABLES.studyDates, { scope: DATES_SCOPE }, { range })) yield text(row, 'study_date');
}

async function collectUids(engine: IndexEngine, table: string, partition: Readonly<Record<string, string | number>>, options = {}): Promise<string[]> {
  const rows = await collectPartition(engine, table, partition, options);
  return rows.map((row) => text(row, 'study_instance_uid'));
}

/** The buckets of one partition family read in parallel (Cassandra answers them concurrently). */
async function acrossBuckets(buckets: number, read: (bucket: number) => Promise<string[]>): Promise<string[]> {
  return (await Promise.all(allBuckets(buckets).map(read))).flat();
}

export interface CandidateGroup {
  /** The study_dates key of the group (date walk only), newest first. */
  readonly date?: string;
  readonly uids: readonly string[];
}

/** Candidate study UIDs in groups: one per study date for the date walk (newest first), else one. */
export async function* candidateGroups(engine: IndexEngine, source: StudySource, buckets: number): AsyncGenerator<CandidateGroup> {
  const T = ARCHIVE_TABLES;
  switch (source.kind) {
    case 'uids':
      yield { uids: source.uids };
      return;
    case 'patient': {
      const options = source.issuer !== undefined ? { prefix: [source.issuer] } : {};
      yield { uids: await collectUids(engine, T.studyByPatient, { patient_id: source.patientId }, options) };
      return;
    }
    case 'accession':
      yield { uids: await collectUids(engine, T.studyByAccession, { accession_number: source.accession }) };
      return;
    case 'nameToken':
      yield { uids: await acrossBuckets(buckets, (bucket) => collectUids(engine, T.studyByNameToken, { token: source.token, bucket })) };
      return;
    case 'dates': {
      const options = source.modality !== undefined ? { prefix: [source.modality] } : {};
      const readDate = async (date: string) => ({
        date, uids: await acrossBuckets(buckets, (bucket) => collectUids(engine, T.studyByDate, { study_date: date, bucket }, options)),
      });
      // A few dates in flight at once (Cassandra answers them concurrently), yielded newest first.
      let window: string[] = [];
      for await (const date of studyDates(engine, source.from, source.to)) {
        window.push(date);
        if (window.length < DATES_IN_FLIGHT) continue;
        yield* await Promise.all(window.map(readDate));
        window = [];
      }
      yield* await Promise.all(window.map(readDate));
      return;
    }
  }
}

/** Distinct candidate study UIDs of the plan. */
export async function* candidateStudies(engine: IndexEngine, source: StudySource, buckets: number): AsyncGenerator<string> {
  const seen = new Set<string>();
  for await (const group of candidateGroups(engine, source, buckets)) {
    for (const uid of group.uids) {
      if (seen.has(uid)) continue;
      seen.add(uid);
      yield uid;
    }
  }
}
