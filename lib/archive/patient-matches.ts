// Patient level (patient root C-FIND, PS3.4 C.6.1.1.2): the distinct patients of the matching studies,
// one per PatientID and issuer, with the patient-related counts.
import type { DicomJsonElement } from '../dicom/dicom-json.ts';
import type { Query } from '../dicom-query/query.ts';
import { firstString } from '../dicom-query/dicom-values.ts';
import { matchesAll } from '../dicom-query/match-dataset.ts';
import { intElement, PATIENT_TAGS, pickAttributes, TAG } from './level-attributes.ts';
import type { Match } from './sort-matches.ts';
import type { StudyView } from './study-rows.ts';

export function patientMatches(studies: readonly StudyView[], query: Query): Match[] {
  const patients = new Map<string, { attributes: Record<string, DicomJsonElement>; studies: number; series: number; instances: number }>();
  for (const study of studies) {
    const id = firstString(study.attributes, TAG.PatientID);
    const key = `${id}\u0000${firstString(study.attributes, TAG.IssuerOfPatientID)}`;
    const entry = patients.get(key) ?? { attributes: {}, studies: 0, series: 0, instances: 0 };
    entry.attributes = { ...entry.attributes, ...pickAttributes(study.attributes, PATIENT_TAGS) };
    entry.studies += 1;
    entry.series += study.seriesCount;
    entry.instances += study.instanceCount;
    patients.set(key, entry);
  }
  const out: Match[] = [];
  for (const p of patients.values()) {
    const dataset = {
      ...p.attributes,
      [TAG.NumberOfPatientRelatedStudies]: intElement(p.studies),
      [TAG.NumberOfPatientRelatedSeries]: intElement(p.series),
      [TAG.NumberOfPatientRelatedInstances]: intElement(p.instances),
    };
    if (matchesAll(dataset, query.matchers.filter((m) => m.tag in dataset || PATIENT_TAGS.includes(m.tag)), { fuzzy: query.fuzzyMatching })) out.push({ dataset });
  }
  return out;
}
