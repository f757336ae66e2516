// Which stored instances a C-MOVE/C-GET identifier names (PS3.4 C.4.2.2.1, C.4.3.2.1): the unique keys
// of its level, UID lists allowed; at PATIENT level (patient root) every study of the Patient ID.
import type { Catalog, InstanceRecord } from '../archive/catalog.ts';
import type { DicomJsonDataset } from '../dicom/dicom-json.ts';
import { QUERY_RETRIEVE_LEVEL, type QueryRoot } from '../dicom-query/parse-cfind.ts';
import { OutcomeError } from '../outcome/outcome.ts';

const PATIENT_ID = '00100020';
const STUDY_UID = '0020000D';
const SERIES_UID = '0020000E';
const SOP_UID = '00080018';

function uids(identifier: DicomJsonDataset, tag: string): string[] {
  return (identifier[tag]?.Value ?? []).flatMap((v) => (typeof v === 'string' ? v.split('\\') : [])).map((v) => v.trim()).filter((v) => v.length > 0);
}

function text(identifier: DicomJsonDataset, tag: string): string | undefined {
  const v = identifier[tag]?.Value?.[0];
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
}

async function studiesOfPatient(catalog: Catalog, patientId: string): Promise<string[]> {
  const result = await catalog.search({
    level: 'study', root: 'patient', matchers: [{ kind: 'Single', tag: PATIENT_ID, value: patientId }],
    includeFields: [STUDY_UID], fuzzyMatching: false, limit: 100_000, offset: 0,
  });
  return result.matches.map((m) => m[STUDY_UID]?.Value?.[0]).filter((v): v is string => typeof v === 'string');
}

async function studyOfSeries(catalog: Catalog, seriesUid: string): Promise<string | undefined> {
  const result = await catalog.search({
    level: 'series', root: 'study', matchers: [{ kind: 'Single', tag: SERIES_UID, value: seriesUid }],
    includeFields: [STUDY_UID], fuzzyMatching: false, limit: 1, offset: 0,
  });
  const v = result.matches[0]?.[STUDY_UID]?.Value?.[0];
  return typeof v === 'string' ? v : undefined;
}

async function ofStudies(catalog: Catalog, studyUids: readonly string[]): Promise<InstanceRecord[]> {
  const lists = [];
  for (const uid of studyUids) lists.push(await catalog.listInstances(uid));
  return lists.flat();
}

function required(values: string[], name: string): string[] {
  if (values.length === 0) throw new OutcomeError('invalidQuery', `${name} is required at this retrieve level`);
  return values;
}

export async function resolveRetrieve(catalog: Catalog, identifier: DicomJsonDataset, root: QueryRoot): Promise<InstanceRecord[]> {
  const level = text(identifier, QUERY_RETRIEVE_LEVEL)?.toUpperCase();
  switch (level) {
    case 'PATIENT': {
      if (root !== 'patient') throw new OutcomeError('invalidQuery', 'the study root information model has no PATIENT level');
      const patientId = text(identifier, PATIENT_ID);
      if (patientId === undefined) throw new OutcomeError('invalidQuery', 'PatientID is required at PATIENT level');
      return ofStudies(catalog, await studiesOfPatient(catalog, patientId));
    }
    case 'STUDY':
      return ofStudies(catalog, required(uids(identifier, STUDY_UID), 'StudyInstanceUID'));
    case 'SERIES': {
      const out: InstanceRecord[] = [];
      const study = uids(identifier, STUDY_UID)[0];
      for (const series of required(uids(identifier, SERIES_UID), 'SeriesInstanceUID')) {
        const studyUid = study ?? await studyOfSeries(catalog, series);
        if (studyUid !== undefined) out.push(...await catalog.listInstances(studyUid, series));
      }
      return out;
    }
    case 'IMAGE': {
      const out: InstanceRecord[] = [];
      for (const uid of required(uids(identifier, SOP_UID), 'SOPInstanceUID')) {
        const record = await catalog.getInstance(uid);
        if (record) out.push(record);
      }
      return out;
    }
    case undefined:
    default:
      throw new OutcomeError('invalidQuery', 'QueryRetrieveLevel (0008,0052) is missing or not PATIENT, STUDY, SERIES or IMAGE');
  }
}
