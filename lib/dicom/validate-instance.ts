// The identifiers every stored instance must carry (PS3.4 B.4.1: the SCP needs SOP Class and SOP
// Instance; the archive indexes by study and series), checked against the File Meta Information
// (PS3.10 7.1: Media Storage SOP Class/Instance UID repeat the data set's).
import { OutcomeError } from '../outcome/outcome.ts';
import type { DicomJsonDataset } from './dicom-json.ts';
import { isUid } from './dictionary.ts';

export interface InstanceIdentifiers {
  readonly sopClassUid: string;
  readonly sopInstanceUid: string;
  readonly studyInstanceUid: string;
  readonly seriesInstanceUid: string;
}

const REQUIRED = [
  ['sopClassUid', 'SOPClassUID', '00080016'],
  ['sopInstanceUid', 'SOPInstanceUID', '00080018'],
  ['studyInstanceUid', 'StudyInstanceUID', '0020000D'],
  ['seriesInstanceUid', 'SeriesInstanceUID', '0020000E'],
] as const;

function uidOf(dataset: DicomJsonDataset, keyword: string, tag: string): string {
  const value = dataset[tag]?.Value?.[0];
  if (value === undefined || value === '') throw new OutcomeError('cannotUnderstand', `${keyword} (${tag.slice(0, 4)},${tag.slice(4)}) is missing`);
  if (typeof value !== 'string' || !isUid(value)) {
    throw new OutcomeError('cannotUnderstand', `${keyword} (${tag.slice(0, 4)},${tag.slice(4)}) is not a valid UID`);
  }
  return value;
}

/** Throws OutcomeError: cannotUnderstand for a missing or malformed UID or a Media Storage SOP Instance
 * UID that names another instance; sopClassMismatch when the Media Storage SOP Class UID differs. */
export function validateInstance(dataset: DicomJsonDataset, meta: ReadonlyMap<string, string>): InstanceIdentifiers {
  const ids: Record<string, string> = {};
  for (const [field, keyword, tag] of REQUIRED) ids[field] = uidOf(dataset, keyword, tag);
  const result: InstanceIdentifiers = {
    sopClassUid: ids.sopClassUid ?? '',
    sopInstanceUid: ids.sopInstanceUid ?? '',
    studyInstanceUid: ids.studyInstanceUid ?? '',
    seriesInstanceUid: ids.seriesInstanceUid ?? '',
  };
  const mediaClass = meta.get('00020002');
  if (mediaClass !== undefined && mediaClass !== '' && mediaClass !== result.sopClassUid) {
    throw new OutcomeError('sopClassMismatch', `MediaStorageSOPClassUID ${mediaClass} differs from SOPClassUID ${result.sopClassUid}`);
  }
  const mediaInstance = meta.get('00020003');
  if (mediaInstance !== undefined && mediaInstance !== '' && mediaInstance !== result.sopInstanceUid) {
    throw new OutcomeError('cannotUnderstand', 'MediaStorageSOPInstanceUID (0002,0003) differs from SOPInstanceUID (0008,0018)');
  }
  return result;
}
