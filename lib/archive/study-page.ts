// Study-level searches the date walk answers exactly: no matchers, or only a StudyDate (single or range
// of whole dates) and the ModalitiesInStudy the walk already narrowed by. The total is counted from the
// lookup rows, and study rows are read only for the dates that reach into the requested page, so the
// study list a viewer opens with (`/studies?limit=100`) does not read every study.
import type { Query, QueryResult } from '../dicom-query/query.ts';
import type { IndexEngine } from '../index-model/index-engine.ts';
import { TAG } from './level-attributes.ts';
import { candidateGroups, type StudySource } from './plan-search.ts';
import { compareMatches } from './sort-matches.ts';
import { UNDATED } from './study-lookups.ts';
import { readStudy, studyDataset } from './study-rows.ts';

const WHOLE_DATE = /^\d{8}$/u;

function wholeDate(value: string | undefined): boolean {
  return value === undefined || WHOLE_DATE.test(value.replace(/[.-]/gu, ''));
}

export function answeredByDateWalk(query: Query, source: StudySource): boolean {
  if (query.level !== 'study' || source.kind !== 'dates') return false;
  return query.matchers.every((m) => {
    if (m.kind === 'Universal') return true;
    if (m.tag === TAG.StudyDate) return (m.kind === 'Single' && wholeDate(m.value)) || (m.kind === 'Range' && wholeDate(m.from) && wholeDate(m.to));
    return m.tag === TAG.ModalitiesInStudy && m.kind === 'Single' && m.value === source.modality;
  });
}

interface Group {
  readonly start: number;
  readonly uids: readonly string[];
}

export async function studyPageFromDates(
  engine: IndexEngine, query: Query, source: StudySource, options: { readonly buckets: number; readonly maxCandidates: number }, warnings: string[],
): Promise<QueryResult> {
  const hasDate = query.matchers.some((m) => m.tag === TAG.StudyDate && m.kind !== 'Universal');
  const seen = new Set<string>();
  const groups: Group[] = [];
  let total = 0;
  for await (const group of candidateGroups(engine, source, options.buckets)) {
    if (hasDate && group.date === UNDATED) continue;
    if (total >= options.maxCandidates) {
      warnings.push(`search stopped after ${options.maxCandidates} candidate studies: results are partial; narrow the query (date, patient)`);
      break;
    }
    const uids = group.uids.filter((uid) => !seen.has(uid));
    for (const uid of uids) seen.add(uid);
    groups.push({ start: total, uids });
    total += uids.length;
  }
  const start = Math.max(0, query.offset);
  const end = query.limit > 0 ? start + query.limit : total;
  const window = groups.filter((g) => g.start < end && g.start + g.uids.length > start);
  const matches = [];
  for (const group of window) {
    const views = await Promise.all(group.uids.map((uid) => readStudy(engine, uid)));
    const datasets = views.flatMap((v) => (v ? [studyDataset(v)] : [])).sort((a, b) => compareMatches(a, b, 'study'));
    matches.push(...datasets.map((dataset, i) => ({ dataset, at: group.start + i })));
  }
  return { matches: matches.filter((m) => m.at >= start && m.at < end).map((m) => m.dataset), total, warnings: [...new Set(warnings)] };
}
