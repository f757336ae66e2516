// The archive's index tables (versions 2-19 of the platform schema). Appended, never edited once applied.
// One table per access path (lib/archive/README.md explains each key and sizes the partitions).
import type { Migration, TableDef } from '../index-model/table-model.ts';

export const ARCHIVE_TABLES = {
  instanceByUid: 'instance_by_uid',
  instanceBySha: 'instance_by_sha',
  seriesInstances: 'series_instances',
  seriesByStudy: 'series_by_study',
  seriesByUid: 'series_by_uid',
  studyByUid: 'study_by_uid',
  studyByPatient: 'study_by_patient',
  studyByAccession: 'study_by_accession',
  studyByDate: 'study_by_date',
  studyDates: 'study_dates',
  studyByNameToken: 'study_by_name_token',
} as const;

const T = ARCHIVE_TABLES;

const tables: readonly TableDef[] = [
  {
    // The claim and the location of an instance; written with insertIfNotExists (the duplicate race).
    name: T.instanceByUid,
    columns: {
      sop_instance_uid: 'text', study_instance_uid: 'text', series_instance_uid: 'text', instance_number: 'int',
      sha256: 'text', size: 'bigint', claimed_at: 'timestamp',
    },
    partitionKey: ['sop_instance_uid'], clusteringKey: [],
  },
  {
    // Which visible instances hold a blob (garbage collection asks before removing bytes). Written in the
    // batch that makes an instance visible.
    name: T.instanceBySha,
    columns: { sha256: 'text', sop_instance_uid: 'text' },
    partitionKey: ['sha256'], clusteringKey: [{ column: 'sop_instance_uid', order: 'asc' }],
  },
  {
    // Instances of a series and the series metadata bundle in one: part 0 is the instance's head row
    // (its presence makes the instance visible), parts 1..n carry a payload too large for one row.
    name: T.seriesInstances,
    columns: {
      study_instance_uid: 'text', series_instance_uid: 'text', instance_number: 'int', sop_instance_uid: 'text', part: 'int',
      sha256: 'text', size: 'bigint', sop_class_uid: 'text', transfer_syntax_uid: 'text', received_at: 'timestamp',
      source: 'text', parts: 'int', payload: 'text',
    },
    partitionKey: ['study_instance_uid', 'series_instance_uid'],
    clusteringKey: [
      { column: 'instance_number', order: 'asc' }, { column: 'sop_instance_uid', order: 'asc' }, { column: 'part', order: 'asc' },
    ],
  },
  {
    // Series-level attributes (DICOM JSON) and the instance count of each series of a study.
    name: T.seriesByStudy,
    columns: { study_instance_uid: 'text', series_instance_uid: 'text', attributes: 'text', instance_count: 'int', updated_at: 'timestamp' },
    partitionKey: ['study_instance_uid'], clusteringKey: [{ column: 'series_instance_uid', order: 'asc' }],
  },
  {
    name: T.seriesByUid,
    columns: { series_instance_uid: 'text', study_instance_uid: 'text' },
    partitionKey: ['series_instance_uid'], clusteringKey: [],
  },
  {
    // Study- and patient-level attributes (DICOM JSON) with the counts QIDO returns.
    name: T.studyByUid,
    columns: {
      study_instance_uid: 'text', attributes: 'text', series_count: 'int', instance_count: 'int',
      modalities: 'text', sop_classes: 'text', updated_at: 'timestamp',
    },
    partitionKey: ['study_instance_uid'], clusteringKey: [],
  },
  {
    name: T.studyByPatient,
    columns: { patient_id: 'text', issuer: 'text', study_date: 'text', study_instance_uid: 'text' },
    partitionKey: ['patient_id'],
    clusteringKey: [{ column: 'issuer', order: 'asc' }, { column: 'study_date', order: 'desc' }, { column: 'study_instance_uid', order: 'asc' }],
  },
  {
    name: T.studyByAccession,
    columns: { accession_number: 'text', study_instance_uid: 'text' },
    partitionKey: ['accession_number'], clusteringKey: [{ column: 'study_instance_uid', order: 'asc' }],
  },
  {
    name: T.studyByDate,
    columns: { study_date: 'text', bucket: 'int', modality: 'text', study_instance_uid: 'text' },
    partitionKey: ['study_date', 'bucket'],
    clusteringKey: [{ column: 'modality', order: 'asc' }, { column: 'study_instance_uid', order: 'asc' }],
  },
  {
    // The directory of study dates that have studies: open date ranges and "all studies" walk it.
    name: T.studyDates,
    columns: { scope: 'text', study_date: 'text' },
    partitionKey: ['scope'], clusteringKey: [{ column: 'study_date', order: 'desc' }],
  },
  {
    name: T.studyByNameToken,
    columns: { token: 'text', bucket: 'int', study_instance_uid: 'text' },
    partitionKey: ['token', 'bucket'], clusteringKey: [{ column: 'study_instance_uid', order: 'asc' }],
  },
];

export const ARCHIVE_MIGRATIONS: readonly Migration[] = [
  {
    version: 2,
    description: 'archive: instances, series bundle, series and study attributes, study lookups (patient, accession, date, name)',
    steps: tables.map((table) => ({ kind: 'createTable', table }) as const),
  },
];
