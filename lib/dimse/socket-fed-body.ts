// A data set arriving over an association, fed into a body stream that ingest reads. dcmjs-dimse waits
// for 'drain' only on its first write, so when the reader falls behind the association's socket is
// paused (no more PDUs arrive) and resumed on the body's 'drain'. Once `settled()` (the reader is done,
// say a rejected object) whatever still arrives is let through and dropped. Used by the C-STORE SCP and
// by the C-GET SCU's receiver.
import { PassThrough, Writable } from 'node:stream';
import type { Socket } from 'node:net';

/** Chunks of the data set the body buffers before the socket is paused. */
export const BODY_HIGH_WATER_MARK = 1024 * 1024;

export function createBody(): PassThrough {
  return new PassThrough({ highWaterMark: BODY_HIGH_WATER_MARK });
}

/** Lets the rest of the data set drain away once the reader stopped reading. */
export function releaseBody(body: PassThrough, socket: Socket): void {
  body.resume();
  if (socket.isPaused()) socket.resume();
}

export function socketFedWritable(body: PassThrough, socket: Socket, settled: () => boolean, onChunk?: (bytes: number) => void): Writable {
  return new Writable({
    highWaterMark: BODY_HIGH_WATER_MARK,
    write(chunk: Buffer, _encoding, callback) {
      onChunk?.(chunk.length);
      if (settled() || body.destroyed || body.write(chunk)) { callback(); return; }
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
}
