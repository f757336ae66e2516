// Reads bytes from a hospital edge over NATS (lib/edge/edge-protocol.ts): the city serves a chunked
// transfer on a fresh inbox, asks the edge's fetch subject for the bytes, and streams what arrives.
// Every wait is bounded by YY_EDGE_FETCH_TIMEOUT_SECONDS: the request, the opening of the transfer and
// each chunk. An edge that is not connected (NATS "no responders") or silent fails with UNAVAILABLE at
// once or at the timeout, naming the hospital, so the answer is a clear 503, never a hang.
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { createInbox, ErrorCode, type NatsConnection, type NatsError } from 'nats';
import { BlobStoreError, type ByteRange } from '../../lib/blob-store/blob-store.ts';
import { edgeSubjects, type FetchReply, type FetchRequest } from '../../lib/edge/edge-protocol.ts';
import type { BlobLocation } from '../../lib/retrieval/blob-locations.ts';
import type { EdgeFetcher } from '../../lib/retrieval/routed-blob-store.ts';
import { serveChunkTransfers } from '../../storage-nodes/nats-chunk-transfer.ts';

export interface NatsEdgeFetcherOptions {
  readonly nc: NatsConnection;
  readonly platformId: string;
  readonly timeoutMs: number;
  /** Chunks the edge may have in flight to this node per transfer. */
  readonly window?: number;
}

function unavailable(location: BlobLocation, timeoutMs: number, what: string): BlobStoreError {
  return new BlobStoreError('UNAVAILABLE', `hospital ${location.hospitalId}: the edge ${location.nodeId} ${what} (timeout ${timeoutMs / 1000} s)`);
}

const NO_RESPONDERS: string = ErrorCode.NoResponders;
const TIMEOUT: string = ErrorCode.Timeout;

function describeRequestFailure(error: unknown): string {
  const code: string = (error as NatsError).code;
  if (code === NO_RESPONDERS) return 'is not connected';
  if (code === TIMEOUT) return 'did not answer in time';
  return `could not be asked: ${(error as Error).message}`;
}

async function within<T>(promise: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<never>((_resolve, reject) => { timer = setTimeout(() => reject(onTimeout()), ms); })]);
  } finally {
    clearTimeout(timer);
  }
}

/** The transfer's chunks, each awaited at most `idleMs`; `settle` tells the edge how the read ended. */
async function* guarded(stream: Readable, idleMs: number, onIdle: () => Error, settle: (error?: Error) => void): AsyncGenerator<Buffer> {
  const chunks = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  let settled = false;
  try {
    for (;;) {
      const next = await within(chunks.next(), idleMs, onIdle);
      if (next.done === true) break;
      yield next.value;
    }
    settled = true;
    settle();
  } catch (error) {
    settled = true;
    settle(error as Error);
    throw error;
  } finally {
    if (!settled) settle(new Error('the reader stopped early'));
    stream.destroy();
  }
}

export function createNatsEdgeFetcher(options: NatsEdgeFetcherOptions): EdgeFetcher {
  const { nc, timeoutMs } = options;
  const subjects = edgeSubjects(options.platformId);
  return {
    async fetch(location: BlobLocation, sha256: string, range?: ByteRange): Promise<Readable> {
      const deliverTo = createInbox();
      const transferId = randomUUID();
      let opened: (stream: Readable) => void = () => undefined;
      const arrival = new Promise<Readable>((resolve) => { opened = resolve; });
      let settle: (error?: Error) => void = () => undefined;
      const finished = new Promise<void>((resolve, reject) => { settle = (error) => (error ? reject(error) : resolve()); });
      finished.catch(() => undefined);
      const sub = serveChunkTransfers(nc, deliverTo, {
        window: options.window ?? 8,
        accept: (meta, stream) => {
          // A late answer to an abandoned request of this inbox: refused, the edge drops it.
          if (meta.id !== transferId) return Promise.reject(new Error('no such transfer'));
          sub.unsubscribe();
          opened(stream);
          return finished;
        },
      });
      try {
        const request: FetchRequest = { sha256, deliverTo, transferId, ...(range ? { range } : {}) };
        let reply: FetchReply;
        try {
          const msg = await nc.request(subjects.fetch(location.hospitalId), Buffer.from(JSON.stringify(request)), { timeout: timeoutMs });
          reply = JSON.parse(Buffer.from(msg.data).toString()) as FetchReply;
        } catch (error) {
          throw unavailable(location, timeoutMs, describeRequestFailure(error));
        }
        if (!reply.ok) throw new BlobStoreError(reply.code, `hospital ${location.hospitalId}: ${reply.error}`);
        const stream = await within(arrival, timeoutMs, () => unavailable(location, timeoutMs, 'did not start sending'));
        const onIdle = () => unavailable(location, timeoutMs, 'stopped sending');
        const out = Readable.from(guarded(stream, timeoutMs, onIdle, settle));
        // Closed before it was read to the end (a client gone): the edge hears so instead of waiting.
        out.once('close', () => { settle(new Error('the reader closed the transfer')); stream.destroy(); });
        return out;
      } catch (error) {
        sub.unsubscribe();
        settle(error as Error);
        throw error;
      }
    },
  };
}
