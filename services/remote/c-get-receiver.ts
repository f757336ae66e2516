// Receiving the C-STORE sub-operations of a C-GET as an SCU (PS3.4 C.4.3) without holding an object in
// memory. dcmjs-dimse's Client collects each received data set whole into a memory stream; its network
// layer asks `createStoreWritableStream` for where to put the fragments, the same hook the SCP side
// overrides (services/dimse/yunying-scp.ts). The Client creates that network object inside send(), so
// the hook is set on it right after send() returns, before any byte can arrive (the connect is async).
// This depends on dcmjs-dimse 0.3's `client.network`; attachCGetReceiver throws if it is not there.
import type { Writable } from 'node:stream';
import type { Socket } from 'node:net';
import dimse from 'dcmjs-dimse';
import type * as Dimse from 'dcmjs-dimse';
import { buildFileMeta } from '../../lib/dimse/file-meta.ts';
import { createBody, releaseBody, socketFedWritable } from '../../lib/dimse/socket-fed-body.ts';
import { outcomeStatus, storeStatus } from '../../lib/dimse/dimse-status.ts';
import type { IngestResult } from '../../lib/ingest/ingest-types.ts';
import type { ReceiveInstance } from '../../lib/remote/remote-source.ts';

const { Dataset } = dimse;
const { CStoreResponse } = dimse.responses;

type PresentationContext = Dimse.association.PresentationContext;
type CStoreRequest = Dimse.requests.CStoreRequest;

interface NetworkInternals {
  socket: Socket;
  createStoreWritableStream(context: PresentationContext, request: CStoreRequest): Writable;
  createDatasetFromStoreWritableStream(writable: Writable, context: PresentationContext, callback: (dataset: Dimse.Dataset) => void): void;
}

export interface CGetReceiver {
  /** Instances whose data set started to arrive. */
  readonly received: () => number;
  /** Settles when every received instance has been ingested (or refused). */
  settled(): Promise<void>;
}

/** One object's fragments → a Part 10 stream into `receive`; pauses the socket while ingest is behind. */
function openSink(receive: ReceiveInstance, context: PresentationContext, request: CStoreRequest, socket: Socket, sourceAeTitle: string): { writable: Writable; result: Promise<IngestResult> } {
  const transferSyntaxUid = context.getAcceptedTransferSyntaxUid() ?? '';
  const sopClassUid = request.getAffectedSopClassUid();
  const sopInstanceUid = request.getAffectedSopInstanceUid();
  const body = createBody();
  body.write(buildFileMeta({ sopClassUid, sopInstanceUid, transferSyntaxUid, sourceAeTitle }));
  let settled = false;
  const result = receive(body, { transferSyntaxUid, sopClassUid, sopInstanceUid }).finally(() => {
    settled = true;
    releaseBody(body, socket);
  });
  const writable = socketFedWritable(body, socket, () => settled);
  socket.once('close', () => { if (!body.writableEnded) body.destroy(new Error('association closed before the data set ended')); });
  return { writable, result };
}

/** Call right after client.send(). */
export function attachCGetReceiver(client: Dimse.Client, receive: ReceiveInstance, options: { readonly sourceAeTitle: string; readonly onActivity: () => void }): CGetReceiver {
  const { onActivity } = options;
  const network = (client as unknown as { network?: NetworkInternals }).network;
  if (network === undefined) throw new Error('dcmjs-dimse: Client.network is not available; the streaming C-GET receiver needs dcmjs-dimse 0.3');
  const sinks = new Map<CStoreRequest, Promise<IngestResult>>();
  const results: Promise<unknown>[] = [];
  network.createStoreWritableStream = (context, request) => {
    onActivity();
    const sink = openSink(receive, context, request, network.socket, options.sourceAeTitle);
    sinks.set(request, sink.result);
    results.push(sink.result.catch(() => undefined));
    return sink.writable;
  };
  network.createDatasetFromStoreWritableStream = (_writable, context, callback) => {
    callback(new Dataset({}, context.getAcceptedTransferSyntaxUid()));
  };
  client.on('cStoreRequest', (request: CStoreRequest, callback: (response: Dimse.responses.CStoreResponse) => void) => {
    onActivity();
    const respond = (status: { status: number; comment?: string }) => {
      const response = CStoreResponse.fromRequest(request);
      response.setStatus(status.status);
      if (status.comment !== undefined) response.setErrorComment(status.comment.slice(0, 64));
      callback(response);
    };
    const result = sinks.get(request);
    sinks.delete(request);
    if (!result) { respond(outcomeStatus('processingFailure', 'no data set received')); return; }
    result.then((r) => respond(storeStatus(r)), () => respond(outcomeStatus('processingFailure')));
  });
  return {
    received: () => results.length,
    async settled() { await Promise.all(results); },
  };
}
