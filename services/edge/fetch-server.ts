// Serves the city's fetches (distributed storage: the pixels stay here): FetchRequest on the hospital's
// fetch subject -> FetchReply, then the bytes (a frame range or the whole object) as a chunked transfer to
// the inbox the city named. At most MAX_ACTIVE at once; past that the city is told UNAVAILABLE and
// tries another source or answers 503, rather than waiting on a queue it cannot see.
import type { NatsConnection, Subscription } from 'nats';
import type { BlobStore } from '../../lib/blob-store/blob-store.ts';
import { edgeSubjects, type FetchReply, type FetchRequest } from '../../lib/edge/edge-protocol.ts';
import { sendChunked } from '../../storage-nodes/nats-chunk-transfer.ts';

export const MAX_ACTIVE_FETCHES = 16;

export interface FetchServerDeps {
  readonly platformId: string;
  readonly hospitalId: string;
  readonly blobs: BlobStore;
  readonly idleTimeoutMs: number;
  readonly log: { warn(...args: unknown[]): void };
}

function parseRequest(data: Uint8Array): FetchRequest | undefined {
  try {
    const value = JSON.parse(Buffer.from(data).toString()) as Partial<FetchRequest>;
    if (typeof value.sha256 !== 'string' || typeof value.deliverTo !== 'string' || typeof value.transferId !== 'string') return undefined;
    return value as FetchRequest;
  } catch {
    return undefined;
  }
}

async function answer(nc: NatsConnection, deps: FetchServerDeps, request: FetchRequest | undefined, reply: (r: FetchReply) => void): Promise<void> {
  if (!request) { reply({ ok: false, code: 'INVALID_RANGE', error: 'malformed fetch request' }); return; }
  const stat = await deps.blobs.stat(request.sha256);
  if (!stat) { reply({ ok: false, code: 'NOT_FOUND', error: 'this edge does not hold the object' }); return; }
  const { range } = request;
  if (range && (!Number.isInteger(range.offset) || !Number.isInteger(range.length) || range.offset < 0 || range.length < 0 || range.offset + range.length > stat.size)) {
    reply({ ok: false, code: 'INVALID_RANGE', error: `range ${range.offset}+${range.length} is outside the object (${stat.size} bytes)` });
    return;
  }
  const size = range ? range.length : stat.size;
  const source = await deps.blobs.open(request.sha256, range);
  reply({ ok: true, size });
  try {
    await sendChunked(nc, request.deliverTo, { id: request.transferId, sha256: request.sha256, size }, source, deps.idleTimeoutMs);
  } finally {
    source.destroy();
  }
}

export function serveFetches(nc: NatsConnection, deps: FetchServerDeps): Subscription {
  let active = 0;
  return nc.subscribe(edgeSubjects(deps.platformId).fetch(deps.hospitalId), {
    callback: (_error, msg) => {
      let replied = false;
      const reply = (r: FetchReply) => { if (!replied) { replied = true; msg.respond(Buffer.from(JSON.stringify(r))); } };
      if (active >= MAX_ACTIVE_FETCHES) { reply({ ok: false, code: 'UNAVAILABLE', error: `the edge serves ${MAX_ACTIVE_FETCHES} fetches already` }); return; }
      active += 1;
      answer(nc, deps, parseRequest(msg.data), reply).catch((error: unknown) => {
        reply({ ok: false, code: 'UNAVAILABLE', error: (error as Error).message });
        deps.log.warn({ event: 'edge.fetch.failed', error: (error as Error).message });
      }).finally(() => { active -= 1; });
    },
  });
}
