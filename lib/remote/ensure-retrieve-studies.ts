// What a C-MOVE/C-GET needs from the pass-through before it resolves its identifier against the city
// catalog: every StudyInstanceUID the identifier names (STUDY, SERIES or IMAGE level) fetched into the
// city if the city does not have it and a remote source does. A PATIENT-level retrieve names no study
// and is left to the catalog (asking every hospital for every study of a patient is a query, not a
// retrieve). A source that cannot be reached becomes the C-MOVE/C-GET failure status sourceUnavailable.
import type { DicomJsonDataset } from '../dicom/dicom-json.ts';
import { OutcomeError } from '../outcome/outcome.ts';
import { RemoteUnavailableError } from './remote-source.ts';
import type { EnsureResult } from './pass-through.ts';

const STUDY_UID = '0020000D';
const UID = /^[0-9]+(\.[0-9]+)*$/;

export interface StudyEnsurer {
  ensureStudy(studyInstanceUid: string): Promise<EnsureResult>;
}

export function studyUidsOf(identifier: DicomJsonDataset): string[] {
  const values = identifier[STUDY_UID]?.Value ?? [];
  const uids = values.flatMap((v) => (typeof v === 'string' ? v.split('\\') : [])).map((v) => v.trim());
  return [...new Set(uids.filter((v) => v.length > 0 && v.length <= 64 && UID.test(v)))];
}

/** Resolves with the results per study; throws OutcomeError('sourceUnavailable') when a source is down. */
export async function ensureRetrieveStudies(passThrough: StudyEnsurer | undefined, identifier: DicomJsonDataset): Promise<readonly EnsureResult[]> {
  if (passThrough === undefined) return [];
  const results: EnsureResult[] = [];
  for (const uid of studyUidsOf(identifier)) {
    try {
      results.push(await passThrough.ensureStudy(uid));
    } catch (error) {
      if (error instanceof RemoteUnavailableError) throw new OutcomeError('sourceUnavailable', error.message);
      throw error;
    }
  }
  return results;
}
