// The C-STORE receive path: dcmjs-dimse writes the data set's PDV fragments into the Writable this
// returns (Scp.createStoreWritableStream), and the bytes go straight on into archive.ingest() behind a
// Part 10 meta header built from the association, so nothing holds a whole object in memory.
// Backpressure: dcmjs-dimse waits for 'drain' only on its first write, so when ingest falls behind the
// sink pauses the association's socket (no more PDUs arrive) and resumes it on the body's 'drain'.
import { PassThrough, Writable } from 'node:stream';
import type { Socket } from 'node:net';
import type { IngestContext, IngestResult } from '../../lib/ingest/ingest-types.ts';
import { buildFileMeta } from '../../lib/dimse/file-meta.ts';

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

const BODY_HIGH_WATER_MARK = 1024 * 1024;

export function openStoreSink(target: StoreTarget, facts: StoreFacts, socket: Socket): StoreSink {
  const body = new PassThrough({ highWaterMark: BODY_HIGH_WATER_MARK });
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
    body.resume();
    if (socket.isPaused()) socket.resume();
  });
  const writable = new Writable({
    highWaterMark: BODY_HIGH_WATER_MARK,
    write(chunk: Buffer, _encoding, callback) {
      received += chunk.length;
      if (settled || body.destroyed) { callback(); return; }
      if (body.write(chunk)) { callback(); return; }
      socket.pause();
      const done = () => {
        body.off('drain', done);
        body.off('close', done);
        if (socket.isPaused()) socket.resume();
        callback();
      };
      body.once('drain', done);
      body.once('close', done);
    },
    final(callback) {
      body.end();
      callback();
    },
  });
  return {
    writable, result,
    abort(reason) { if (!body.destroyed && !body.writableEnded) body.destroy(new Error(reason)); },
    receivedBytes: () => received,
  };
}
