// DIMSE statuses (PS3.7 Annex C) derived from the one outcome table (lib/outcome): nothing here invents
// a status; it only picks the table's entry for a result.
import type { IngestResult } from '../ingest/ingest-types.ts';
import { OUTCOMES, type OutcomeCode } from '../outcome/outcome.ts';

export const DIMSE_SUCCESS = 0x0000;
export const DIMSE_PENDING = 0xff00;
export const DIMSE_CANCEL = 0xfe00;

export interface DimseStatus {
  readonly status: number;
  /** Error Comment (0000,0902): at most 64 characters, never patient data. */
  readonly comment?: string;
}

export type StatusClass = 'success' | 'warning' | 'failure' | 'cancel';

/** Error Comment is LO: 64 characters at most. */
function comment(text: string): string {
  return text.length <= 64 ? text : `${text.slice(0, 61)}...`;
}

export function outcomeStatus(code: OutcomeCode, detail?: string): DimseStatus {
  const spec = OUTCOMES[code];
  return { status: spec.dimseStatus, comment: comment(detail ?? spec.en) };
}

/** The C-STORE response status of one ingest (PS3.4 B.2.3). A duplicate with the same bytes is a
 * success: the SCU's object is in the archive, exactly as sent. */
export function storeStatus(result: IngestResult): DimseStatus {
  switch (result.status) {
    case 'stored':
    case 'duplicate':
      return result.warningOutcome === undefined ? { status: DIMSE_SUCCESS } : outcomeStatus(result.warningOutcome, result.warnings[0]);
    case 'rejected':
      return outcomeStatus(result.outcome, result.reason);
  }
}

/** Status class for metrics and logs (PS3.7 C: 0000 success, Bxxx/0001/0107/0116 warning, FE00 cancel). */
export function statusClass(status: number): StatusClass {
  if (status === DIMSE_SUCCESS || status === DIMSE_PENDING || status === 0xff01) return 'success';
  if (status === DIMSE_CANCEL) return 'cancel';
  if ((status & 0xf000) === 0xb000 || status === 0x0001 || status === 0x0107 || status === 0x0116) return 'warning';
  return 'failure';
}
