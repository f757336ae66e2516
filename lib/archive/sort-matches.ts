// The stable order of search results, so that limit/offset pages never skip or repeat a match: newest
// study first (StudyDate, StudyTime), then SeriesNumber, InstanceNumber, each tie broken by UID.
import type { DicomJsonDataset } from '../dicom/dicom-json.ts';
import type { QueryLevel } from '../dicom-query/query.ts';
import { firstInteger, firstString } from '../dicom-query/dicom-values.ts';
import { TAG } from './level-attributes.ts';

export interface Match {
  readonly dataset: DicomJsonDataset;
}

function byText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function byNumber(a: number | undefined, b: number | undefined): number {
  return (a ?? Number.MAX_SAFE_INTEGER) - (b ?? Number.MAX_SAFE_INTEGER);
}

function studyOrder(a: DicomJsonDataset, b: DicomJsonDataset): number {
  return byText(firstString(b, TAG.StudyDate), firstString(a, TAG.StudyDate))
    || byText(firstString(b, TAG.StudyTime), firstString(a, TAG.StudyTime))
    || byText(firstString(a, TAG.StudyInstanceUID), firstString(b, TAG.StudyInstanceUID));
}

function seriesOrder(a: DicomJsonDataset, b: DicomJsonDataset): number {
  return studyOrder(a, b)
    || byNumber(firstInteger(a, TAG.SeriesNumber), firstInteger(b, TAG.SeriesNumber))
    || byText(firstString(a, TAG.SeriesInstanceUID), firstString(b, TAG.SeriesInstanceUID));
}

export function compareMatches(a: DicomJsonDataset, b: DicomJsonDataset, level: QueryLevel): number {
  switch (level) {
    case 'patient':
      return byText(firstString(a, TAG.PatientID), firstString(b, TAG.PatientID))
        || byText(firstString(a, TAG.IssuerOfPatientID), firstString(b, TAG.IssuerOfPatientID));
    case 'study':
      return studyOrder(a, b);
    case 'series':
      return seriesOrder(a, b);
    case 'instance':
      return seriesOrder(a, b)
        || byNumber(firstInteger(a, TAG.InstanceNumber), firstInteger(b, TAG.InstanceNumber))
        || byText(firstString(a, TAG.SOPInstanceUID), firstString(b, TAG.SOPInstanceUID));
  }
}
