// Making an instance visible, or invisible again. Visibility is the head row of series_instances: it is
// written in one atomic batch together with the series row, the study row (counts, modalities) and the
// study's lookup rows, after any payload chunks. A failure before that batch leaves nothing a reader
// sees; a failure inside it leaves nothing at all (SQLite transaction, Cassandra logged batch).
import type { InstanceRecord } from './catalog.ts';
import type { DicomJsonDataset } from '../dicom/dicom-json.ts';
import type { IndexEngine, Mutation } from '../index-model/index-engine.ts';
import { firstString } from '../dicom-query/dicom-values.ts';
import { ARCHIVE_TABLES } from './archive-schema.ts';
import { encodePayload, splitPayload } from './instance-payload.ts';
import { pickAttributes, SERIES_TAGS, STUDY_TAGS, TAG } from './level-attributes.ts';
import { chunkRow, headRow, type InstanceKey } from './series-rows.ts';
import { lookupDeletes, lookupKeys, lookupPuts, sameKeys } from './study-lookups.ts';
import { readSeries, readSeriesOfStudy, readStudy, seriesRow, studyRow, type StudyView } from './study-rows.ts';

const T = ARCHIVE_TABLES;

function union(values: readonly string[], value: string): string[] {
  return value === '' || values.includes(value) ? [...values] : [...values, value].sort();
}

/** How the index is laid out for this platform (study_by_date and name-token buckets). */
export interface ArchiveLayout {
  readonly buckets: number;
}

function lookupChanges(layout: ArchiveLayout, study: string, before: StudyView | undefined, after: StudyView): Mutation[] {
  const next = lookupKeys(study, after.attributes, after.modalities, layout.buckets);
  if (!before) return lookupPuts(study, next);
  const previous = lookupKeys(study, before.attributes, before.modalities, layout.buckets);
  return sameKeys(previous, next) ? [] : [...lookupDeletes(study, previous), ...lookupPuts(study, next)];
}

/** Writes every row of a new (not yet visible) instance; the head row goes in the final batch. */
export async function writeVisible(
  engine: IndexEngine, layout: ArchiveLayout, record: InstanceRecord, key: InstanceKey, now: Date, alsoInBatch: readonly Mutation[] = [],
): Promise<void> {
  const { inline, chunks } = splitPayload(encodePayload(record));
  for (const [i, chunk] of chunks.entries()) {
    await engine.write([{ kind: 'put', table: T.seriesInstances, row: chunkRow(key, record.sha256, i + 1, chunk) }]);
  }
  const study = record.studyInstanceUid;
  const series = record.seriesInstanceUid;
  const [studyBefore, seriesBefore] = await Promise.all([readStudy(engine, study), readSeries(engine, study, series)]);
  const ds: DicomJsonDataset = record.dataset;
  const modality = firstString(ds, TAG.Modality);
  const studyAfter: StudyView = {
    studyInstanceUid: study,
    attributes: { ...studyBefore?.attributes, ...pickAttributes(ds, STUDY_TAGS) },
    seriesCount: (studyBefore?.seriesCount ?? 0) + (seriesBefore ? 0 : 1),
    instanceCount: (studyBefore?.instanceCount ?? 0) + 1,
    modalities: union(studyBefore?.modalities ?? [], modality),
    sopClasses: union(studyBefore?.sopClasses ?? [], record.sopClassUid),
  };
  const mutations: Mutation[] = [
    { kind: 'put', table: T.seriesInstances, row: headRow(key, record, inline, chunks.length) },
    { kind: 'put', table: T.instanceBySha, row: { sha256: record.sha256, sop_instance_uid: key.sopInstanceUid } },
    {
      kind: 'put', table: T.seriesByStudy,
      row: seriesRow({
        studyInstanceUid: study, seriesInstanceUid: series,
        attributes: { ...seriesBefore?.attributes, ...pickAttributes(ds, SERIES_TAGS) },
        instanceCount: (seriesBefore?.instanceCount ?? 0) + 1,
      }, now),
    },
    { kind: 'put', table: T.studyByUid, row: studyRow(studyAfter, now) },
    ...lookupChanges(layout, study, studyBefore, studyAfter),
  ];
  if (!seriesBefore) mutations.push({ kind: 'put', table: T.seriesByUid, row: { series_instance_uid: series, study_instance_uid: study } });
  await engine.write([...mutations, ...alsoInBatch]);
}

/** Removes a visible instance (head and chunks) and updates its series and study in one batch; a series
 * or study left empty is removed with its lookup rows. */
export async function removeVisible(engine: IndexEngine, layout: ArchiveLayout, key: InstanceKey, sha256: string, now: Date): Promise<void> {
  const study = key.studyInstanceUid;
  const series = key.seriesInstanceUid;
  const [studyBefore, allSeries] = await Promise.all([readStudy(engine, study), readSeriesOfStudy(engine, study)]);
  const seriesBefore = allSeries.find((s) => s.seriesInstanceUid === series);
  const mutations: Mutation[] = [{
    kind: 'delete', table: T.seriesInstances,
    key: { study_instance_uid: study, series_instance_uid: series, instance_number: key.instanceNumber, sop_instance_uid: key.sopInstanceUid },
  }, { kind: 'delete', table: T.instanceBySha, key: { sha256, sop_instance_uid: key.sopInstanceUid } }];
  const seriesLeft = (seriesBefore?.instanceCount ?? 1) - 1;
  if (seriesBefore && seriesLeft > 0) {
    mutations.push({ kind: 'put', table: T.seriesByStudy, row: seriesRow({ ...seriesBefore, instanceCount: seriesLeft }, now) });
  } else {
    mutations.push({ kind: 'delete', table: T.seriesByStudy, key: { study_instance_uid: study, series_instance_uid: series } });
    mutations.push({ kind: 'delete', table: T.seriesByUid, key: { series_instance_uid: series } });
  }
  if (studyBefore) {
    const remaining = allSeries.filter((s) => s.seriesInstanceUid !== series || seriesLeft > 0);
    const modalities = [...new Set(remaining.map((s) => firstString(s.attributes, TAG.Modality)).filter((m) => m !== ''))].sort();
    const studyAfter: StudyView = {
      ...studyBefore, modalities,
      seriesCount: remaining.length, instanceCount: Math.max(0, studyBefore.instanceCount - 1),
    };
    if (studyAfter.instanceCount === 0) {
      mutations.push({ kind: 'delete', table: T.studyByUid, key: { study_instance_uid: study } });
      mutations.push(...lookupDeletes(study, lookupKeys(study, studyBefore.attributes, studyBefore.modalities, layout.buckets)));
    } else {
      mutations.push({ kind: 'put', table: T.studyByUid, row: studyRow(studyAfter, now) }, ...lookupChanges(layout, study, studyBefore, studyAfter));
    }
  }
  await engine.write(mutations);
}
