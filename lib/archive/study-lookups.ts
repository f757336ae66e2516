// The lookup rows of a study: by patient (PatientID, then issuer), by accession, by study date (bucketed,
// clustered by modality), the study-date directory, and the name tokens. They only point at study UIDs;
// search re-checks every matcher on the study row, so a stale lookup row costs a read, never a wrong match.
import type { DicomJsonDataset } from '../dicom/dicom-json.ts';
import type { Mutation } from '../index-model/index-engine.ts';
import { firstString } from '../dicom-query/dicom-values.ts';
import { personNameGroups } from '../dicom-query/dicom-values.ts';
import { ARCHIVE_TABLES } from './archive-schema.ts';
import { TAG } from './level-attributes.ts';
import { nameTokens } from './name-tokens.ts';
import { studyBucket } from './study-bucket.ts';

/** Study date key of a study without a usable StudyDate: sorts after every real date (descending). */
export const UNDATED = '00000000';
/** The one partition of the study-date directory. */
export const DATES_SCOPE = 'study';
/** Clustering value for a study without any modality yet. */
export const NO_MODALITY = '-';
/** Issuer key when IssuerOfPatientID is absent. */
export const NO_ISSUER = '';
const MAX_TOKENS = 40;

export interface LookupKeys {
  readonly patientId: string;
  readonly issuer: string;
  readonly accession: string;
  readonly studyDate: string;
  readonly tokens: readonly string[];
  readonly modalities: readonly string[];
  /** The study's bucket in study_by_date and study_by_name_token. */
  readonly bucket: number;
}

export function lookupKeys(study: string, attributes: DicomJsonDataset, modalities: readonly string[], buckets: number): LookupKeys {
  const date = firstString(attributes, TAG.StudyDate).replace(/\D/gu, '');
  return {
    patientId: firstString(attributes, TAG.PatientID),
    issuer: firstString(attributes, TAG.IssuerOfPatientID) || NO_ISSUER,
    accession: firstString(attributes, TAG.AccessionNumber),
    studyDate: /^\d{8}$/u.test(date) ? date : UNDATED,
    tokens: nameTokens(personNameGroups(attributes[TAG.PatientName])).slice(0, MAX_TOKENS),
    modalities: modalities.length > 0 ? [...modalities] : [NO_MODALITY],
    bucket: studyBucket(study, buckets),
  };
}

export function sameKeys(a: LookupKeys, b: LookupKeys): boolean {
  return a.patientId === b.patientId && a.issuer === b.issuer && a.accession === b.accession && a.studyDate === b.studyDate &&
    a.tokens.join('\u0001') === b.tokens.join('\u0001') && a.modalities.join('\\') === b.modalities.join('\\') &&
    a.bucket === b.bucket;
}

function lookupRows(study: string, keys: LookupKeys): { table: string; row: Record<string, string | number> }[] {
  const bucket = keys.bucket;
  const T = ARCHIVE_TABLES;
  const rows: { table: string; row: Record<string, string | number> }[] = [];
  if (keys.patientId !== '') {
    rows.push({ table: T.studyByPatient, row: { patient_id: keys.patientId, issuer: keys.issuer, study_date: keys.studyDate, study_instance_uid: study } });
  }
  if (keys.accession !== '') rows.push({ table: T.studyByAccession, row: { accession_number: keys.accession, study_instance_uid: study } });
  for (const modality of keys.modalities) {
    rows.push({ table: T.studyByDate, row: { study_date: keys.studyDate, bucket, modality, study_instance_uid: study } });
  }
  for (const token of keys.tokens) rows.push({ table: T.studyByNameToken, row: { token, bucket, study_instance_uid: study } });
  return rows;
}

export function lookupPuts(study: string, keys: LookupKeys): Mutation[] {
  const puts: Mutation[] = lookupRows(study, keys).map(({ table, row }) => ({ kind: 'put', table, row }));
  puts.push({ kind: 'put', table: ARCHIVE_TABLES.studyDates, row: { scope: DATES_SCOPE, study_date: keys.studyDate } });
  return puts;
}

/** Deletes the study's lookup rows (the date directory entry stays: other studies may share it). */
export function lookupDeletes(study: string, keys: LookupKeys): Mutation[] {
  return lookupRows(study, keys).map(({ table, row }) => ({ kind: 'delete', table, key: row }));
}
