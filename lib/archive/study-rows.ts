// Study and series attribute rows (study_by_uid, series_by_study): what QIDO-RS and C-FIND return at
// study and series level, with the counts and ModalitiesInStudy kept up to date on ingest.
import type { DicomJsonDataset, DicomJsonElement } from '../dicom/dicom-json.ts';
import type { IndexEngine } from '../index-model/index-engine.ts';
import type { Row } from '../index-model/table-model.ts';
import { ARCHIVE_TABLES } from './archive-schema.ts';
import { csElement, intElement, ONLINE, TAG } from './level-attributes.ts';
import { collectPartition, int, text } from './scan-partition.ts';

export interface StudyView {
  readonly studyInstanceUid: string;
  readonly attributes: DicomJsonDataset;
  readonly seriesCount: number;
  readonly instanceCount: number;
  readonly modalities: readonly string[];
  readonly sopClasses: readonly string[];
}

export interface SeriesView {
  readonly studyInstanceUid: string;
  readonly seriesInstanceUid: string;
  readonly attributes: DicomJsonDataset;
  readonly instanceCount: number;
  /** Changes on every write to the series: the metadata cache checks it. */
  readonly version: string;
}

function list(value: string): string[] {
  return value === '' ? [] : value.split('\\');
}

function parseAttributes(row: Row): DicomJsonDataset {
  const raw = text(row, 'attributes');
  return raw === '' ? {} : (JSON.parse(raw) as DicomJsonDataset);
}

export function studyFromRow(row: Row): StudyView {
  return {
    studyInstanceUid: text(row, 'study_instance_uid'), attributes: parseAttributes(row),
    seriesCount: int(row, 'series_count'), instanceCount: int(row, 'instance_count'),
    modalities: list(text(row, 'modalities')), sopClasses: list(text(row, 'sop_classes')),
  };
}

export function studyRow(view: StudyView, now: Date): Row {
  return {
    study_instance_uid: view.studyInstanceUid, attributes: JSON.stringify(view.attributes),
    series_count: view.seriesCount, instance_count: view.instanceCount,
    modalities: [...view.modalities].join('\\'), sop_classes: [...view.sopClasses].join('\\'), updated_at: now,
  };
}

export function seriesFromRow(row: Row): SeriesView {
  const updated = row.updated_at;
  const count = int(row, 'instance_count');
  return {
    studyInstanceUid: text(row, 'study_instance_uid'), seriesInstanceUid: text(row, 'series_instance_uid'),
    attributes: parseAttributes(row), instanceCount: count,
    version: `${updated instanceof Date ? updated.getTime() : 0}:${count}`,
  };
}

export function seriesRow(view: Omit<SeriesView, 'version'>, now: Date): Row {
  return {
    study_instance_uid: view.studyInstanceUid, series_instance_uid: view.seriesInstanceUid,
    attributes: JSON.stringify(view.attributes), instance_count: view.instanceCount, updated_at: now,
  };
}

export async function readStudy(engine: IndexEngine, studyInstanceUid: string): Promise<StudyView | undefined> {
  const row = await engine.get(ARCHIVE_TABLES.studyByUid, { study_instance_uid: studyInstanceUid });
  return row ? studyFromRow(row) : undefined;
}

export async function readSeries(engine: IndexEngine, study: string, series: string): Promise<SeriesView | undefined> {
  const row = await engine.get(ARCHIVE_TABLES.seriesByStudy, { study_instance_uid: study, series_instance_uid: series });
  return row ? seriesFromRow(row) : undefined;
}

export async function readSeriesOfStudy(engine: IndexEngine, study: string): Promise<SeriesView[]> {
  const rows = await collectPartition(engine, ARCHIVE_TABLES.seriesByStudy, { study_instance_uid: study });
  return rows.map(seriesFromRow);
}

/** The study's attributes as QIDO returns them: kept attributes plus the computed ones. */
export function studyDataset(view: StudyView): DicomJsonDataset {
  const computed: Record<string, DicomJsonElement> = {
    [TAG.ModalitiesInStudy]: csElement(view.modalities),
    [TAG.SOPClassesInStudy]: csElement(view.sopClasses, 'UI'),
    [TAG.NumberOfStudyRelatedSeries]: intElement(view.seriesCount),
    [TAG.NumberOfStudyRelatedInstances]: intElement(view.instanceCount),
    [TAG.InstanceAvailability]: ONLINE,
  };
  return { ...view.attributes, ...computed, [TAG.StudyInstanceUID]: { vr: 'UI', Value: [view.studyInstanceUid] } };
}

export function seriesDataset(view: SeriesView): DicomJsonDataset {
  return {
    ...view.attributes,
    [TAG.NumberOfSeriesRelatedInstances]: intElement(view.instanceCount),
    [TAG.InstanceAvailability]: ONLINE,
    [TAG.SeriesInstanceUID]: { vr: 'UI', Value: [view.seriesInstanceUid] },
  };
}
