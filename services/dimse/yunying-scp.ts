// One association of the DIMSE SCP (dcmjs-dimse creates an Scp per connection): negotiation under the
// AE policy, C-ECHO, the streaming C-STORE, and dispatch of C-FIND/C-MOVE/C-GET to their handlers.
import type { Socket } from 'node:net';
import type { Writable } from 'node:stream';
import dimse from 'dcmjs-dimse';
import { skipEmptyNameMap } from '../../adapters/dcmjs-dimse/skip-empty-name-map.ts';
import type * as Dimse from 'dcmjs-dimse';
import { decideAssociation } from '../../lib/dimse/ae-policy.ts';
import { DIMSE_SUCCESS, outcomeStatus, statusClass, storeStatus, type DimseStatus } from '../../lib/dimse/dimse-status.ts';
import {
  COMMAND_TRANSFER_SYNTAXES, QUERY_RETRIEVE, VERIFICATION_SOP_CLASS, chooseStorageSyntax, chooseTransferSyntax, isStorageSopClass, isStorageTransferSyntax,
} from '../../lib/dimse/storage-sop-classes.ts';
import type { DimseOperation } from '../../monitoring/dimse-metrics.ts';
import { DEPS_OPTION, type DimseDeps } from './dimse-deps.ts';
import { openStoreSink, type StoreSink } from './store-sink.ts';
import { handleFind } from './find-handler.ts';
import { handleRetrieve } from './retrieve-handler.ts';

type Association = Dimse.association.Association;
type PresentationContext = Dimse.association.PresentationContext;
type CStoreRequest = Dimse.requests.CStoreRequest;

const { Scp, Dataset } = dimse;
skipEmptyNameMap();
const { CEchoResponse, CStoreResponse } = dimse.responses;
const { PresentationContextResult, RejectResult, RejectSource, RejectReason } = dimse.constants;

const QUERY_RETRIEVE_UIDS = new Set<string>(Object.values(QUERY_RETRIEVE));

type ScpOptions = ConstructorParameters<typeof Dimse.Scp>[1];

/**
 * A storage context the SCU offers to receive on (SCP role, for C-GET) is accepted in the SCU's first
 * choice: it knows what it can take. One it sends on is accepted in the syntax its object is in (see
 * chooseStorageSyntax).
 */
function acceptedSyntax(context: PresentationContext): string | undefined {
  const abstractSyntax = context.getAbstractSyntaxUid();
  const proposed = context.getTransferSyntaxUids();
  if (abstractSyntax === VERIFICATION_SOP_CLASS || QUERY_RETRIEVE_UIDS.has(abstractSyntax)) {
    return chooseTransferSyntax(proposed, (uid) => COMMAND_TRANSFER_SYNTAXES.includes(uid));
  }
  if (!isStorageSopClass(abstractSyntax)) return undefined;
  return context.getProviderRole() === true ? chooseTransferSyntax(proposed, isStorageTransferSyntax) : chooseStorageSyntax(proposed);
}

export class YunyingScp extends Scp {
  readonly deps: DimseDeps;
  readonly peerSocket: Socket;
  callingAe = '';
  negotiated: Association | undefined;
  /** Message IDs of C-FIND/C-MOVE/C-GET requests the SCU cancelled. */
  readonly cancelled = new Set<number>();
  private readonly stores = new Map<CStoreRequest, { sink: StoreSink; started: number }>();

  constructor(socket: Socket, opts: ScpOptions) {
    super(socket, opts);
    this.peerSocket = socket;
    this.deps = opts?.customOptions?.[DEPS_OPTION] as DimseDeps;
    // An association that ends mid-object leaves ingest a truncated stream: it rejects, nothing is indexed.
    this.on('close', () => {
      for (const { sink } of this.stores.values()) sink.abort('association closed before the data set ended');
      this.stores.clear();
    });
  }

  observe(operation: DimseOperation, started: number, status: number): void {
    this.deps.metrics.requestDuration.observe({ operation, status: statusClass(status) }, (performance.now() - started) / 1000);
  }

  override associationRequested(association: Association): void {
    const { deps } = this;
    this.negotiated = association;
    this.callingAe = association.getCallingAeTitle().trim();
    const remote = this.peerSocket.remoteAddress ?? '';
    const decision = decideAssociation(deps.policy, association.getCalledAeTitle(), this.callingAe, remote);
    if (!decision.accept) {
      deps.metrics.associations.inc({ outcome: 'rejected' });
      deps.log.warn({ event: 'dimse.association.rejected', callingAe: this.callingAe, calledAe: association.getCalledAeTitle().trim(), remote, reason: decision.reason });
      const reason = decision.reason === 'called-ae-not-recognized' ? RejectReason.CalledAeNotRecognized : RejectReason.CallingAeNotRecognized;
      this.sendAssociationReject(RejectResult.Permanent, RejectSource.ServiceUser, reason);
      return;
    }
    // dcmjs-dimse uses one max PDU length for both directions: leave the SCU's, so what we send fits it.
    for (const { id } of association.getPresentationContexts()) {
      const context = association.getPresentationContext(id);
      const abstractSyntax = context.getAbstractSyntaxUid();
      const syntax = acceptedSyntax(context);
      const known = abstractSyntax === VERIFICATION_SOP_CLASS || QUERY_RETRIEVE_UIDS.has(abstractSyntax) || isStorageSopClass(abstractSyntax);
      if (syntax !== undefined) context.setResult(PresentationContextResult.Accept, syntax);
      else context.setResult(known ? PresentationContextResult.RejectTransferSyntaxesNotSupported : PresentationContextResult.RejectAbstractSyntaxNotSupported);
    }
    deps.metrics.associations.inc({ outcome: 'accepted' });
    deps.log.info({ event: 'dimse.association.accepted', callingAe: this.callingAe, remote });
    this.sendAssociationAccept();
  }

  override associationReleaseRequested(): void {
    this.sendAssociationReleaseResponse();
  }

  override cEchoRequest(request: Dimse.requests.CEchoRequest, callback: (response: Dimse.responses.CEchoResponse) => void): void {
    const started = performance.now();
    const response = CEchoResponse.fromRequest(request);
    response.setStatus(DIMSE_SUCCESS);
    callback(response);
    this.observe('C-ECHO', started, DIMSE_SUCCESS);
  }

  override createStoreWritableStream(context: PresentationContext, request: CStoreRequest): Writable {
    const sink = openStoreSink(this.deps.archive, {
      sopClassUid: request.getAffectedSopClassUid(), sopInstanceUid: request.getAffectedSopInstanceUid(),
      transferSyntaxUid: context.getAcceptedTransferSyntaxUid() ?? '', callingAeTitle: this.callingAe,
    }, this.peerSocket);
    this.stores.set(request, { sink, started: performance.now() });
    return sink.writable;
  }

  /** The bytes went to ingest already: the library gets an empty data set, never a parsed copy. */
  override createDatasetFromStoreWritableStream(_writable: Writable, context: PresentationContext, callback: (dataset: Dimse.Dataset) => void): void {
    callback(new Dataset({}, context.getAcceptedTransferSyntaxUid()));
  }

  override cStoreRequest(request: CStoreRequest, callback: (response: Dimse.responses.CStoreResponse) => void): void {
    const entry = this.stores.get(request);
    this.stores.delete(request);
    const respond = (status: DimseStatus) => {
      const response = CStoreResponse.fromRequest(request);
      response.setStatus(status.status);
      if (status.comment !== undefined) response.setErrorComment(status.comment);
      callback(response);
      this.observe('C-STORE', entry?.started ?? performance.now(), status.status);
    };
    if (!entry) {
      respond(outcomeStatus('processingFailure', 'no data set received'));
      return;
    }
    entry.sink.result.then((result) => {
      const status = storeStatus(result);
      this.deps.log.info({
        event: 'dimse.c-store', callingAe: this.callingAe, sopInstanceUid: request.getAffectedSopInstanceUid(),
        result: result.status, status: status.status.toString(16).padStart(4, '0'), bytes: entry.sink.receivedBytes(),
        ...(result.status === 'rejected' ? { reason: result.reason } : {}),
      });
      respond(status);
    }, (error: unknown) => {
      this.deps.log.error({ event: 'dimse.c-store.error', sopInstanceUid: request.getAffectedSopInstanceUid(), error: (error as Error).message });
      respond(outcomeStatus('processingFailure'));
    });
  }

  override cFindRequest(request: Dimse.requests.CFindRequest, callback: (responses: Dimse.responses.CFindResponse[]) => void): void {
    void handleFind(this, request, callback);
  }

  override cMoveRequest(request: Dimse.requests.CMoveRequest, callback: (responses: Dimse.responses.CMoveResponse[]) => void): void {
    void handleRetrieve(this, { kind: 'move', request, callback });
  }

  override cGetRequest(request: Dimse.requests.CGetRequest, callback: (responses: Dimse.responses.CGetResponse[]) => void): void {
    void handleRetrieve(this, { kind: 'get', request, callback });
  }

  override cCancelRequest(request: Dimse.requests.CCancelRequest): void {
    this.cancelled.add(request.getMessageIdBeingRespondedTo());
  }

  override abort(): void {
    for (const { sink } of this.stores.values()) sink.abort('association aborted');
    this.stores.clear();
  }

  /** The accepted transfer syntax of the context a request came on (for the response data sets). */
  contextSyntax(request: Dimse.requests.Request): string {
    return this.negotiated?.getAcceptedPresentationContextFromRequest(request)?.getAcceptedTransferSyntaxUid() ?? COMMAND_TRANSFER_SYNTAXES[1] ?? '';
  }
}
