// Catalog.search: QIDO-RS (PS3.18 8.3.4, 10.6) and C-FIND (PS3.4 C.4.1, C.6) at patient, study, series
// and instance level. Candidate studies come from the plan (plan-search.ts); every matcher is evaluated
// on the assembled data set (match-dataset.ts); results are sorted stably, counted, then paged.
import type { DicomJsonDataset, DicomJsonElement } from '../dicom/dicom-json.ts';
import type { IndexEngine } from '../index-model/index-engine.ts';
import type { Matcher, Query, QueryResult } from '../dicom-query/query.ts';
import { matchesAll } from '../dicom-query/match-dataset.ts';
import { firstString } from '../dicom-query/dicom-values.ts';
import { ARCHIVE_TABLES } from './archive-schema.ts';
import { INSTANCE_TAGS, PATIENT_TAGS, pickAttributes, SERIES_TAGS, STUDY_TAGS, TAG } from './level-attributes.ts';
import { candidateStudies, planStudySource, type StudySource } from './plan-search.ts';
import { text } from './scan-partition.ts';
import { readSeriesInstances } from './series-rows.ts';
import { readSeriesOfStudy, readStudy, seriesDataset, studyDataset, type StudyView } from './study-rows.ts';
import { compareMatches, type Match } from './sort-matches.ts';
import { patientMatches } from './patient-matches.ts';
import { answeredByDateWalk, studyPageFromDates } from './study-page.ts';

export interface SearchOptions {
  /** At most this many candidate studies are examined; beyond, the result is partial with a warning. */
  readonly maxCandidates: number;
  readonly buckets: number;
}

const STUDY_LEVEL = new Set<string>([
  ...STUDY_TAGS, TAG.ModalitiesInStudy, TAG.SOPClassesInStudy, TAG.NumberOfStudyRelatedSeries,
  TAG.NumberOfStudyRelatedInstances, TAG.InstanceAvailability,
]);
const SERIES_LEVEL = new Set<string>([...STUDY_LEVEL, ...SERIES_TAGS, TAG.NumberOfSeriesRelatedInstances]);
const PATIENT_LEVEL = new Set<string>([
  ...PATIENT_TAGS, TAG.NumberOfPatientRelatedStudies, TAG.NumberOfPatientRelatedSeries, TAG.NumberOfPatientRelatedInstances,
]);
const CONCURRENCY = 32;

interface Scope {
  readonly engine: IndexEngine;
  readonly query: Query;
  readonly options: SearchOptions;
  readonly warnings: string[];
}

function uidsOf(matchers: readonly Matcher[], tag: string): readonly string[] | undefined {
  const m = matchers.find((x) => x.tag === tag);
  if (m?.kind === 'UidList') return m.uids;
  return m?.kind === 'Single' && m.value !== '' ? [m.value] : undefined;
}

/** Candidate studies that pass the study-level matchers, read CONCURRENCY at a time. */
async function matchingStudies(scope: Scope, source: StudySource): Promise<StudyView[]> {
  const { engine, query } = scope;
  const studyMatchers = query.matchers.filter((m) => STUDY_LEVEL.has(m.tag));
  const out: StudyView[] = [];
  let batch: string[] = [];
  let examined = 0;
  const flush = async () => {
    const views = await Promise.all(batch.map((uid) => readStudy(engine, uid)));
    for (const v of views) if (v && matchesAll(studyDataset(v), studyMatchers, { fuzzy: query.fuzzyMatching })) out.push(v);
    batch = [];
  };
  for await (const uid of candidateStudies(engine, source, scope.options.buckets)) {
    if (examined >= scope.options.maxCandidates) {
      scope.warnings.push(`search stopped after ${scope.options.maxCandidates} candidate studies: results are partial; narrow the query (date, patient)`);
      break;
    }
    examined += 1;
    batch.push(uid);
    if (batch.length >= CONCURRENCY) await flush();
  }
  await flush();
  return out;
}

async function studySource(scope: Scope): Promise<StudySource> {
  const { matchers } = scope.query;
  if (!uidsOf(matchers, TAG.StudyInstanceUID)) {
    const sops = uidsOf(matchers, TAG.SOPInstanceUID);
    const series = uidsOf(matchers, TAG.SeriesInstanceUID);
    if (scope.query.level === 'instance' && sops) {
      const rows = await Promise.all(sops.map((sop) => scope.engine.get(ARCHIVE_TABLES.instanceByUid, { sop_instance_uid: sop })));
      return { kind: 'uids', uids: rows.flatMap((r) => (r ? [text(r, 'study_instance_uid')] : [])) };
    }
    if (scope.query.level !== 'study' && scope.query.level !== 'patient' && series) {
      const rows = await Promise.all(series.map((uid) => scope.engine.get(ARCHIVE_TABLES.seriesByUid, { series_instance_uid: uid })));
      return { kind: 'uids', uids: rows.flatMap((r) => (r ? [text(r, 'study_instance_uid')] : [])) };
    }
  }
  return planStudySource(matchers, scope.query.level);
}

function warnUnsupported(scope: Scope, level: ReadonlySet<string> | undefined): void {
  if (!level) return;
  for (const m of scope.query.matchers) {
    if (!level.has(m.tag) && m.kind !== 'Universal') scope.warnings.push(`matching on ${m.tag} is not supported at ${scope.query.level} level: ignored`);
  }
  if (scope.query.includeFields !== 'all') {
    for (const tag of scope.query.includeFields) if (!level.has(tag)) scope.warnings.push(`${tag} is not kept at ${scope.query.level} level`);
  }
}

function withoutBulk(dataset: DicomJsonDataset): Record<string, DicomJsonElement> {
  const out: Record<string, DicomJsonElement> = {};
  for (const [tag, element] of Object.entries(dataset)) if (element.BulkDataURI === undefined && tag !== TAG.PixelData) out[tag] = element;
  return out;
}

function instanceAttributes(query: Query, instance: DicomJsonDataset): DicomJsonDataset {
  if (query.includeFields === 'all') return withoutBulk(instance);
  const tags = [...INSTANCE_TAGS, ...query.includeFields, ...query.matchers.map((m) => m.tag)];
  return withoutBulk(pickAttributes(instance, tags));
}

async function seriesMatches(scope: Scope, studies: readonly StudyView[], filter: boolean): Promise<Match[]> {
  const { engine, query } = scope;
  const perStudy = await Promise.all(studies.map(async (study) => {
    const studyDs = studyDataset(study);
    const views = await readSeriesOfStudy(engine, study.studyInstanceUid);
    return views.map((view) => ({ dataset: { ...studyDs, ...seriesDataset(view) }, view }));
  }));
  const matchers = query.matchers.filter((m) => SERIES_LEVEL.has(m.tag));
  return perStudy.flat()
    .filter((m) => !filter || matchesAll(m.dataset, matchers, { fuzzy: query.fuzzyMatching }))
    .map((m) => ({ dataset: m.dataset }));
}

async function instanceMatches(scope: Scope, studies: readonly StudyView[]): Promise<Match[]> {
  const { engine, query } = scope;
  const seriesUids = uidsOf(query.matchers, TAG.SeriesInstanceUID);
  const series = (await seriesMatches(scope, studies, true))
    .filter((m) => !seriesUids || seriesUids.includes(firstString(m.dataset, TAG.SeriesInstanceUID)));
  const perSeries = await Promise.all(series.map(async ({ dataset }) => {
    const study = firstString(dataset, TAG.StudyInstanceUID);
    const seriesUid = firstString(dataset, TAG.SeriesInstanceUID);
    const records = await readSeriesInstances(engine, study, seriesUid);
    return records
      .filter((r) => matchesAll({ ...dataset, ...r.dataset }, query.matchers, { fuzzy: query.fuzzyMatching }))
      .map((r) => ({ dataset: { ...dataset, ...instanceAttributes(query, r.dataset) } }));
  }));
  return perSeries.flat();
}

function page(matches: Match[], query: Query, warnings: readonly string[]): QueryResult {
  matches.sort((a, b) => compareMatches(a.dataset, b.dataset, query.level));
  const start = Math.max(0, query.offset);
  const end = query.limit > 0 ? start + query.limit : undefined;
  return { matches: matches.slice(start, end).map((m) => m.dataset), total: matches.length, warnings: [...new Set(warnings)] };
}

export async function searchCatalog(engine: IndexEngine, query: Query, options: SearchOptions): Promise<QueryResult> {
  const scope: Scope = { engine, query, options, warnings: [] };
  const source = await studySource(scope);
  if (answeredByDateWalk(query, source)) {
    warnUnsupported(scope, STUDY_LEVEL);
    return studyPageFromDates(engine, query, source, options, scope.warnings);
  }
  const studies = await matchingStudies(scope, source);
  switch (query.level) {
    case 'patient':
      warnUnsupported(scope, PATIENT_LEVEL);
      return page(patientMatches(studies, query), query, scope.warnings);
    case 'study':
      warnUnsupported(scope, STUDY_LEVEL);
      return page(studies.map((s) => ({ dataset: studyDataset(s) })), query, scope.warnings);
    case 'series':
      warnUnsupported(scope, SERIES_LEVEL);
      return page(await seriesMatches(scope, studies, true), query, scope.warnings);
    case 'instance':
      return page(await instanceMatches(scope, studies), query, scope.warnings);
  }
}
