// The Store Instances Response of STOW-RS (PS3.18 10.5.3, Table 10.5.3-2 / 10.5.3-3) and the status of
// the whole transaction (PS3.18 Table 10.5.3-1), from the per-part results of ingestInstance().
import type { DicomJsonDataset, DicomJsonElement } from '../dicom/dicom-json.ts';
import type { IngestResult } from '../ingest/ingest-types.ts';
import { outcomeSpec, type OutcomeCode } from '../outcome/outcome.ts';

/** One part of the request and what became of it. */
export type StoreItem =
  | { readonly kind: 'ingested'; readonly result: IngestResult }
  /** The part never reached ingest (wrong part media type ...). */
  | { readonly kind: 'refused'; readonly outcome: OutcomeCode; readonly reason: string };

export interface StoreResponse {
  readonly status: number;
  readonly body: DicomJsonDataset;
  readonly stored: number;
  readonly failed: number;
}

const TAG = {
  RetrieveURL: '00081190',
  FailedSOPSequence: '00081198',
  ReferencedSOPSequence: '00081199',
  ReferencedSOPClassUID: '00081150',
  ReferencedSOPInstanceUID: '00081155',
  FailureReason: '00081197',
  WarningReason: '00081196',
} as const;

const ui = (value: string | undefined): DicomJsonElement => (value ? { vr: 'UI', Value: [value] } : { vr: 'UI' });
const us = (value: number): DicomJsonElement => ({ vr: 'US', Value: [value] });
const ur = (value: string): DicomJsonElement => ({ vr: 'UR', Value: [value] });

/** URL builders relative to the DICOMweb root (absolute, e.g. https://host/dicom-web). */
export function studyUrl(root: string, study: string): string {
  return `${root}/studies/${study}`;
}

export function instanceUrl(root: string, study: string, series: string, sop: string): string {
  return `${root}/studies/${study}/series/${series}/instances/${sop}`;
}

function failedItem(item: StoreItem): DicomJsonDataset {
  const ids = item.kind === 'ingested' && item.result.status === 'rejected' ? item.result.ids : undefined;
  const outcome = item.kind === 'refused' ? item.outcome : item.result.status === 'rejected' ? item.result.outcome : 'processingFailure';
  return {
    [TAG.ReferencedSOPClassUID]: ui(ids?.sopClassUid),
    [TAG.ReferencedSOPInstanceUID]: ui(ids?.sopInstanceUid),
    [TAG.FailureReason]: us(outcomeSpec(outcome).failureReason ?? 0x0110),
  };
}

/** The status when nothing was stored: the failures' own status when they agree, else 409 when any
 * was a conflict (PS3.18: "unable to store any instances due to a conflict"), else 400. */
function allFailedStatus(outcomes: readonly OutcomeCode[]): number {
  const statuses = new Set(outcomes.map((o) => outcomeSpec(o).httpStatus));
  const [only] = statuses;
  if (statuses.size === 1 && only !== undefined) return only;
  return statuses.has(409) ? 409 : 400;
}

export function buildStoreResponse(root: string, items: readonly StoreItem[], study?: string): StoreResponse {
  const referenced: DicomJsonDataset[] = [];
  const failed: DicomJsonDataset[] = [];
  const failures: OutcomeCode[] = [];
  let warnings = 0;
  for (const item of items) {
    if (item.kind === 'refused') {
      failed.push(failedItem(item));
      failures.push(item.outcome);
      continue;
    }
    const r = item.result;
    if (r.status === 'rejected') {
      failed.push(failedItem(item));
      failures.push(r.outcome);
      continue;
    }
    const entry: Record<string, DicomJsonElement> = {
      [TAG.ReferencedSOPClassUID]: ui(r.sopClassUid),
      [TAG.ReferencedSOPInstanceUID]: ui(r.sopInstanceUid),
      [TAG.RetrieveURL]: ur(instanceUrl(root, r.studyInstanceUid, r.seriesInstanceUid, r.sopInstanceUid)),
    };
    if (r.warningOutcome) {
      entry[TAG.WarningReason] = us(outcomeSpec(r.warningOutcome).failureReason ?? 0xb000);
      warnings++;
    }
    referenced.push(entry);
  }
  const body: Record<string, DicomJsonElement> = {};
  // The study's URL only when the stored instances share one study (PS3.18 10.5.3.1).
  const studies = new Set(items.flatMap((i) => (i.kind === 'ingested' && i.result.status !== 'rejected' ? [i.result.studyInstanceUid] : [])));
  const [onlyStudy] = studies;
  const responseStudy = study ?? (studies.size === 1 ? onlyStudy : undefined);
  if (responseStudy && referenced.length > 0) body[TAG.RetrieveURL] = ur(studyUrl(root, responseStudy));
  if (failed.length > 0) body[TAG.FailedSOPSequence] = { vr: 'SQ', Value: failed };
  if (referenced.length > 0) body[TAG.ReferencedSOPSequence] = { vr: 'SQ', Value: referenced };
  let status = 200;
  if (items.length === 0) status = 400;
  else if (referenced.length === 0) status = allFailedStatus(failures);
  else if (failed.length > 0 || warnings > 0) status = 202;
  return { status, body, stored: referenced.length, failed: failed.length };
}
