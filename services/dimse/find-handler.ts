// C-FIND SCP (PS3.4 C.4.1): the identifier becomes the same Query QIDO-RS uses (parse-cfind), the catalog
// answers, and each match goes back as a pending response carrying the requested keys, in UTF-8
// (ISO_IR 192) whatever character set the identifier used. A C-CANCEL stops between matches.
import { setImmediate as yieldToIo } from 'node:timers/promises';
import dimse from 'dcmjs-dimse';
import type * as Dimse from 'dcmjs-dimse';
import type { DicomJsonDataset, DicomJsonElement } from '../../lib/dicom/dicom-json.ts';
import { CFIND_MAX_MATCHES, parseCFind, QUERY_RETRIEVE_LEVEL, requestedKeys, type QueryRoot } from '../../lib/dicom-query/parse-cfind.ts';
import { DIMSE_CANCEL, DIMSE_PENDING, DIMSE_SUCCESS, outcomeStatus, type DimseStatus } from '../../lib/dimse/dimse-status.ts';
import { QUERY_RETRIEVE } from '../../lib/dimse/storage-sop-classes.ts';
import { OutcomeError } from '../../lib/outcome/outcome.ts';
import { jsonToNaturalized, naturalizedToJson } from './dataset-json.ts';
import type { YunyingScp } from './yunying-scp.ts';

const { CFindResponse } = dimse.responses;
const { Dataset } = dimse;

const SPECIFIC_CHARACTER_SET = '00080005';

export function rootOf(sopClassUid: string): QueryRoot | undefined {
  switch (sopClassUid) {
    case QUERY_RETRIEVE.patientRootFind: case QUERY_RETRIEVE.patientRootMove: case QUERY_RETRIEVE.patientRootGet: return 'patient';
    case QUERY_RETRIEVE.studyRootFind: case QUERY_RETRIEVE.studyRootMove: case QUERY_RETRIEVE.studyRootGet: return 'study';
    default: return undefined;
  }
}

/** The identifier as DICOM JSON: dcmjs decoded its text by its SpecificCharacterSet already. */
export function identifierOf(request: Dimse.requests.Request): DicomJsonDataset {
  return naturalizedToJson(request.getDataset()?.getElements() ?? {});
}

/** A match reduced to the requested keys; a key the match lacks comes back empty (PS3.4 C.4.1.1.3.2). */
function responseDataset(identifier: DicomJsonDataset, keys: readonly string[], match: DicomJsonDataset): DicomJsonDataset {
  const out: Record<string, DicomJsonElement> = {};
  for (const tag of keys) {
    const wanted = identifier[tag];
    if (wanted === undefined) continue;
    out[tag] = match[tag] ?? { vr: wanted.vr };
  }
  out[SPECIFIC_CHARACTER_SET] = { vr: 'CS', Value: ['ISO_IR 192'] };
  const level = identifier[QUERY_RETRIEVE_LEVEL];
  if (level) out[QUERY_RETRIEVE_LEVEL] = level;
  return out;
}

function finalResponse(request: Dimse.requests.CFindRequest, status: DimseStatus): Dimse.responses.CFindResponse {
  const response = CFindResponse.fromRequest(request);
  response.setStatus(status.status);
  if (status.comment !== undefined && status.status !== DIMSE_SUCCESS && status.status !== DIMSE_CANCEL) response.setErrorComment(status.comment);
  return response;
}

async function search(scp: YunyingScp, request: Dimse.requests.CFindRequest): Promise<DimseStatus> {
  const root = rootOf(request.getAffectedSopClassUid());
  if (root === undefined) return outcomeStatus('unableToProcess', 'not a patient or study root C-FIND');
  const identifier = identifierOf(request);
  const query = parseCFind(identifier, root);
  const result = await scp.deps.archive.catalog.search(query);
  const keys = requestedKeys(identifier);
  const syntax = scp.contextSyntax(request);
  let sent = 0;
  for (const match of result.matches) {
    if (sent === CFIND_MAX_MATCHES) return outcomeStatus('outOfResources', `more than ${CFIND_MAX_MATCHES} matches: narrow the query`);
    // Let a C-CANCEL that arrived meanwhile be read before the next match goes out.
    await yieldToIo();
    if (scp.cancelled.has(request.getMessageId())) return { status: DIMSE_CANCEL };
    const pending = CFindResponse.fromRequest(request);
    pending.setDataset(new Dataset(jsonToNaturalized(responseDataset(identifier, keys, match)), syntax));
    pending.setStatus(DIMSE_PENDING);
    // The handler's callback may be called once only (dcmjs-dimse): pending responses go out directly.
    scp.sendResponse(request, pending);
    sent += 1;
  }
  return { status: DIMSE_SUCCESS };
}

export async function handleFind(scp: YunyingScp, request: Dimse.requests.CFindRequest, callback: (responses: Dimse.responses.CFindResponse[]) => void): Promise<void> {
  const started = performance.now();
  let status: DimseStatus;
  try {
    status = await search(scp, request);
  } catch (error) {
    if (error instanceof OutcomeError) status = outcomeStatus(error.outcome, error.message);
    else {
      scp.deps.log.error({ event: 'dimse.c-find.error', error: (error as Error).message });
      status = outcomeStatus('unableToProcess');
    }
  }
  scp.cancelled.delete(request.getMessageId());
  callback([finalResponse(request, status)]);
  scp.observe('C-FIND', started, status.status);
}
