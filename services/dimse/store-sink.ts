// The C-STORE receive path: dcmjs-dimse writes the data set's PDV fragments into the Writable this
// returns (Scp.createStoreWritableStream), and the bytes go straight on into archive.ingest() behind a
// Part 10 meta header built from the association, so nothing holds a whole object in memory.
// Backpressure: socket-fed-body.ts.
import type { PassThrough, Writable } from 'node:stream';
import type { Socket } from 'node:net';
import type { IngestContext, IngestResult } from '../../lib/ingest/ingest-types.ts';
import { buildFileMeta } from '../../lib/dimse/file-meta.ts';
import { createBody, releaseBody, socketFedWritable } from '../../lib/dimse/socket-fed-body.ts';

export interface StoreTarget {
  ingest(body: PassThrough, context: IngestContext): Promise<IngestResult>;
}

export interface StoreFacts {
  readonly sopClassUid: string;
  readonly sopInstanceUid: string;
  readonly transferSyntaxUid: string;
  readonly callingAeTitle: string;
}

export interface StoreSink {
  readonly writable: Writable;
  /** The ingest's result; settles after the last fragment (or the association's end). */
  readonly result: Promise<IngestResult>;
  /** The association ended before the data set did: ingest sees a truncated stream. */
  abort(reason: string): void;
  readonly receivedBytes: () => number;
}

export function openStoreSink(target: StoreTarget, facts: StoreFacts, socket: Socket): StoreSink {
  const body = createBody();
  body.write(buildFileMeta({
    sopClassUid: facts.sopClassUid, sopInstanceUid: facts.sopInstanceUid,
    transferSyntaxUid: facts.transferSyntaxUid, sourceAeTitle: facts.callingAeTitle,
  }));
  let settled = false;
  let received = 0;
  const result = target.ingest(body, {
    source: 'c-store', origin: facts.callingAeTitle.trim(), transferSyntaxUid: facts.transferSyntaxUid,
    announcedSopClassUid: facts.sopClassUid, announcedSopInstanceUid: facts.sopInstanceUid,
  }).finally(() => {
    settled = true;
    // Ingest may stop reading early (a rejected object): let whatever still arrives drain away.
    releaseBody(body, socket);
  });
  const writable = socketFedWritable(body, socket, () => settled, (bytes) => { received += bytes; });
  return {
    writable, result,
    abort(reason) { if (!body.destroyed && !body.writableEnded) body.destroy(new Error(reason)); },
    receivedBytes: () => received,
  };
}
