// C-MOVE and C-GET SCP (PS3.4 C.4.2, C.4.3): resolve the identifier to stored instances, then one C-STORE
// sub-operation each, to a configured peer (move) or back over this association on the contexts the SCU
// offered (get), with a pending response after each and the counts in the final one. Stored bytes are
// sent unchanged; an instance whose syntax the receiver did not accept fails its sub-operation.
import dimse from 'dcmjs-dimse';
import type * as Dimse from 'dcmjs-dimse';
import type { InstanceRecord } from '../../lib/archive/catalog.ts';
import { DIMSE_CANCEL, DIMSE_PENDING, DIMSE_SUCCESS, outcomeStatus, statusClass, type DimseStatus } from '../../lib/dimse/dimse-status.ts';
import { resolveRetrieve } from '../../lib/dimse/resolve-retrieve.ts';
import { ensureRetrieveStudies } from '../../lib/remote/ensure-retrieve-studies.ts';
import { OutcomeError } from '../../lib/outcome/outcome.ts';
import { BlobStoreError } from '../../lib/blob-store/blob-store.ts';
import { identifierOf, rootOf } from './find-handler.ts';
import { sendToPeer } from './move-sender.ts';
import { loadStoredDataSet } from './raw-dataset.ts';
import type { YunyingScp } from './yunying-scp.ts';

const { CMoveResponse, CGetResponse } = dimse.responses;
const { CStoreRequest } = dimse.requests;
const { PresentationContextResult } = dimse.constants;

type Retrieve =
  | { readonly kind: 'move'; readonly request: Dimse.requests.CMoveRequest; readonly callback: (r: Dimse.responses.CMoveResponse[]) => void }
  | { readonly kind: 'get'; readonly request: Dimse.requests.CGetRequest; readonly callback: (r: Dimse.responses.CGetResponse[]) => void };

interface Counts { remaining: number; completed: number; failed: number; warning: number; readonly failedUids: string[] }

function respond(scp: YunyingScp, job: Retrieve, status: DimseStatus, counts: Counts): void {
  const response = job.kind === 'move' ? CMoveResponse.fromRequest(job.request) : CGetResponse.fromRequest(job.request);
  response.setStatus(status.status);
  if (status.status !== DIMSE_SUCCESS && status.status !== DIMSE_PENDING && status.status !== DIMSE_CANCEL && status.comment) response.setErrorComment(status.comment);
  // PS3.4 C.4.2.1.4: remaining only on pending responses; the final one reports the totals.
  if (status.status === DIMSE_PENDING || status.status === DIMSE_CANCEL) response.setRemaining(counts.remaining);
  response.setCompleted(counts.completed);
  response.setFailures(counts.failed);
  response.setWarnings(counts.warning);
  // The handler's callback may be called once only (dcmjs-dimse): pending responses go out directly.
  if (status.status === DIMSE_PENDING) scp.sendResponse(job.request, response);
  else if (job.kind === 'move') job.callback([response]);
  else job.callback([response]);
}

function count(counts: Counts, uid: string, status: number | undefined): void {
  counts.remaining -= 1;
  const kind = status === undefined ? 'failure' : statusClass(status);
  if (kind === 'success') counts.completed += 1;
  else if (kind === 'warning') counts.warning += 1;
  else { counts.failed += 1; counts.failedUids.push(uid); }
}

function finalStatus(counts: Counts): DimseStatus {
  if (counts.failed === 0 && counts.warning === 0) return { status: DIMSE_SUCCESS };
  if (counts.completed === 0 && counts.warning === 0) return outcomeStatus('sourceUnavailable', `all ${counts.failed} sub-operations failed`);
  return outcomeStatus('subOperationsFailed', `${counts.failed} of ${counts.failed + counts.completed + counts.warning} sub-operations failed`);
}

/** A sub-operation whose bytes could not be read (e.g. the hospital edge holding them is unreachable):
 * it counts as failed, and the final status says so (A702 when every one failed). UIDs only, no patient data. */
function logUnreadable(scp: YunyingScp, kind: 'move' | 'get', sopInstanceUid: string, error: Error): void {
  scp.deps.log.warn({ event: `dimse.c-${kind}.unreadable`, sopInstanceUid, code: error instanceof BlobStoreError ? error.code : 'ERROR', error: error.message });
}

async function move(scp: YunyingScp, job: Retrieve & { kind: 'move' }, records: readonly InstanceRecord[], counts: Counts): Promise<DimseStatus | undefined> {
  const destination = String(job.request.getCommandDataset().getElement('MoveDestination') ?? '').trim();
  const peer = scp.deps.peers.find((p) => p.aeTitle === destination);
  if (!peer) return outcomeStatus('unknownMoveDestination', `move destination ${destination || '(none)'} is not in YY_DICOM_PEERS`);
  let cancelled = false;
  await sendToPeer(peer, scp.deps.archive.blobs, records, {
    ownAeTitle: scp.deps.aeTitle, timeoutSeconds: scp.deps.timeoutSeconds,
    onUnreadable: (uid, error) => logUnreadable(scp, 'move', uid, error),
    onResult: ({ sopInstanceUid, status }) => {
      count(counts, sopInstanceUid, status);
      respond(scp, job, { status: DIMSE_PENDING }, counts);
      cancelled = scp.cancelled.has(job.request.getMessageId());
      return !cancelled;
    },
  });
  return cancelled ? { status: DIMSE_CANCEL } : undefined;
}

/** One C-STORE on this association; resolves with the SCU's status (undefined: not sent or no answer). */
async function storeBack(scp: YunyingScp, record: InstanceRecord): Promise<number | undefined> {
  const context = scp.negotiated?.getPresentationContexts().map(({ id }) => scp.negotiated?.getPresentationContext(id))
    .find((c) => c?.getAbstractSyntaxUid() === record.sopClassUid && c.getResult() === PresentationContextResult.Accept && c.getAcceptedTransferSyntaxUid() === record.transferSyntaxUid);
  if (!context) return undefined;
  let dataset: Awaited<ReturnType<typeof loadStoredDataSet>>;
  try {
    dataset = await loadStoredDataSet(scp.deps.archive.blobs, record);
  } catch (error) {
    logUnreadable(scp, 'get', record.sopInstanceUid, error as Error);
    return undefined;
  }
  const request = new CStoreRequest(dataset);
  return new Promise((resolve) => {
    let status: number | undefined;
    request.on('response', (response: { getStatus(): number }) => { status = response.getStatus(); });
    request.on('done', () => resolve(status));
    scp.sendRequests(request);
  });
}

async function get(scp: YunyingScp, job: Retrieve & { kind: 'get' }, records: readonly InstanceRecord[], counts: Counts): Promise<DimseStatus | undefined> {
  for (const record of records) {
    if (scp.cancelled.has(job.request.getMessageId())) return { status: DIMSE_CANCEL };
    count(counts, record.sopInstanceUid, await storeBack(scp, record));
    respond(scp, job, { status: DIMSE_PENDING }, counts);
  }
  return undefined;
}

export async function handleRetrieve(scp: YunyingScp, job: Retrieve): Promise<void> {
  const started = performance.now();
  const counts: Counts = { remaining: 0, completed: 0, failed: 0, warning: 0, failedUids: [] };
  let status: DimseStatus;
  try {
    const root = rootOf(job.request.getAffectedSopClassUid());
    if (root === undefined) throw new OutcomeError('unableToProcess', 'not a patient or study root retrieve');
    const identifier = identifierOf(job.request);
    await ensureRetrieveStudies(scp.deps.passThrough, identifier);
    const records = await resolveRetrieve(scp.deps.archive.catalog, identifier, root);
    counts.remaining = records.length;
    status = (job.kind === 'move' ? await move(scp, job, records, counts) : await get(scp, job, records, counts)) ?? finalStatus(counts);
  } catch (error) {
    if (error instanceof OutcomeError) status = outcomeStatus(error.outcome, error.message);
    else {
      scp.deps.log.error({ event: `dimse.${job.kind}.error`, error: (error as Error).message });
      status = outcomeStatus('unableToProcess');
    }
  }
  scp.cancelled.delete(job.request.getMessageId());
  respond(scp, job, status, counts);
  scp.deps.log.info({ event: `dimse.c-${job.kind}`, callingAe: scp.callingAe, completed: counts.completed, failed: counts.failed, warning: counts.warning, status: status.status.toString(16) });
  scp.observe(job.kind === 'move' ? 'C-MOVE' : 'C-GET', started, status.status);
}
