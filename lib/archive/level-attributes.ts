// Which attributes the index keeps at each query level: the ones PS3.18 Table 6.7.1-2/2a/2b requires in
// QIDO-RS responses (and the C-FIND keys of PS3.4 C.6.1.1 / C.6.2.1), plus a few viewers rely on. The
// instance level keeps the whole header (from the series bundle), so any attribute can be asked for there.
import type { DicomJsonDataset, DicomJsonElement } from '../dicom/dicom-json.ts';

export const TAG = {
  SpecificCharacterSet: '00080005',
  SOPClassUID: '00080016',
  SOPInstanceUID: '00080018',
  StudyDate: '00080020',
  SeriesDate: '00080021',
  StudyTime: '00080030',
  AccessionNumber: '00080050',
  InstanceAvailability: '00080056',
  Modality: '00080060',
  ModalitiesInStudy: '00080061',
  SOPClassesInStudy: '00080062',
  ReferringPhysicianName: '00080090',
  StudyDescription: '00081030',
  SeriesDescription: '0008103E',
  PatientName: '00100010',
  PatientID: '00100020',
  IssuerOfPatientID: '00100021',
  PatientBirthDate: '00100030',
  PatientSex: '00100040',
  StudyInstanceUID: '0020000D',
  SeriesInstanceUID: '0020000E',
  StudyID: '00200010',
  SeriesNumber: '00200011',
  InstanceNumber: '00200013',
  NumberOfPatientRelatedStudies: '00201200',
  NumberOfPatientRelatedSeries: '00201202',
  NumberOfPatientRelatedInstances: '00201204',
  NumberOfStudyRelatedSeries: '00201206',
  NumberOfStudyRelatedInstances: '00201208',
  NumberOfSeriesRelatedInstances: '00201209',
  PixelData: '7FE00010',
} as const;

export const PATIENT_TAGS: readonly string[] = [
  TAG.PatientName, TAG.PatientID, TAG.IssuerOfPatientID, TAG.PatientBirthDate, TAG.PatientSex,
  '00101010', // PatientAge
];

/** Kept at study level (includes the patient's attributes, as in the study root information model). */
export const STUDY_TAGS: readonly string[] = [
  ...PATIENT_TAGS,
  TAG.StudyDate, TAG.StudyTime, TAG.AccessionNumber, TAG.ReferringPhysicianName, TAG.StudyDescription,
  TAG.StudyInstanceUID, TAG.StudyID,
  '00080051', // IssuerOfAccessionNumberSequence
  '00080080', // InstitutionName
  '00080201', // TimezoneOffsetFromUTC
  '00321060', // RequestedProcedureDescription
];

export const SERIES_TAGS: readonly string[] = [
  TAG.Modality, TAG.SeriesDescription, TAG.SeriesNumber, TAG.SeriesInstanceUID, TAG.SeriesDate,
  '00080031', // SeriesTime
  '00080070', // Manufacturer
  '00180015', // BodyPartExamined
  '00200060', // Laterality
  '00400244', // PerformedProcedureStepStartDate
  '00400245', // PerformedProcedureStepStartTime
  '00400275', // RequestAttributesSequence
];

/** Returned for every instance match (PS3.18 Table 6.7.1-2b). */
export const INSTANCE_TAGS: readonly string[] = [
  TAG.SOPClassUID, TAG.SOPInstanceUID, TAG.InstanceNumber,
  '00280010', '00280011', '00280100', '00280008', // Rows, Columns, BitsAllocated, NumberOfFrames
];

export function pickAttributes(dataset: DicomJsonDataset, tags: readonly string[]): Record<string, DicomJsonElement> {
  const out: Record<string, DicomJsonElement> = {};
  for (const tag of tags) {
    const element = dataset[tag];
    if (element) out[tag] = element;
  }
  return out;
}

export function intElement(value: number): DicomJsonElement {
  return { vr: 'IS', Value: [value] };
}

export function csElement(values: readonly string[], vr = 'CS'): DicomJsonElement {
  return values.length > 0 ? { vr, Value: [...values] } : { vr };
}

export const ONLINE: DicomJsonElement = { vr: 'CS', Value: ['ONLINE'] };
