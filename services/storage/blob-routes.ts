// The blob data path of a storage node, on the node's own HTTP server: GET (with a single Range), HEAD,
// PUT (streamed to disk, hash checked) and DELETE under /storage/v1/blobs/{sha256}, for other nodes
// only (bearer: the cluster secret derived from the admin token). The request body is handed to the disk
// store as the raw socket stream, so a slow disk slows the sender through TCP instead of filling memory.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { IncomingMessage } from 'node:http';
import { BlobStoreError, isSha256, type BlobStoreErrorCode, type ByteRange } from '../../lib/blob-store/blob-store.ts';
import { isAuthorized } from '../../lib/security/admin-token.ts';
import type { DiskStore } from '../../storage-nodes/disk-store.ts';
import { BLOB_PATH } from '../../storage-nodes/blob-http-client.ts';
import type { StorageNodeMetrics } from '../../monitoring/storage-metrics.ts';

export interface BlobRouteDeps {
  readonly store: DiskStore;
  readonly secret: string;
  readonly metrics: StorageNodeMetrics;
  /** False once the node is drained: it accepts no new replica. */
  readonly acceptsWrites: () => boolean;
}

const STATUS: Record<BlobStoreErrorCode, number> = {
  NOT_FOUND: 404, CORRUPT: 409, HASH_MISMATCH: 422, FULL: 507, UNAVAILABLE: 503, INVALID_RANGE: 416,
};

function sendError(reply: FastifyReply, error: unknown): FastifyReply {
  if (!(error instanceof BlobStoreError)) throw error;
  return reply.status(STATUS[error.code]).send({ code: error.code, message: error.message });
}

/** One `bytes=a-b` range (the only form nodes send each other); undefined when absent. */
function parseRange(header: string | undefined): ByteRange | undefined {
  if (header === undefined) return undefined;
  const m = /^bytes=(\d+)-(\d+)$/.exec(header);
  if (!m) throw new BlobStoreError('INVALID_RANGE', 'only one bytes=first-last range is supported');
  const first = Number(m[1]);
  const last = Number(m[2]);
  if (last < first) throw new BlobStoreError('INVALID_RANGE', 'range ends before it starts');
  return { offset: first, length: last - first + 1 };
}

function shaParam(request: FastifyRequest): string {
  const { sha256 } = request.params as { sha256: string };
  if (!isSha256(sha256)) throw new BlobStoreError('NOT_FOUND', 'not a SHA-256 hex digest');
  return sha256;
}

async function putHandler(deps: BlobRouteDeps, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  // The parser below hands over the socket stream itself (request.raw), also for an empty body.
  const body: IncomingMessage = request.raw;
  const end = deps.metrics.operationDuration.startTimer({ operation: 'put' });
  try {
    const sha256 = shaParam(request);
    const size = Number(request.headers['content-length']);
    if (!Number.isSafeInteger(size)) return await reply.status(411).send({ code: 'UNAVAILABLE', message: 'content-length required' });
    if (!deps.acceptsWrites()) throw new BlobStoreError('UNAVAILABLE', 'this storage node is drained');
    // No 'data' listener here: it would start the stream flowing before the disk store reads it.
    const stored = await deps.store.put({ sha256, size, open: () => body });
    if (!stored.existed) deps.metrics.bytes.inc({ direction: 'in' }, size);
    end();
    return await reply.status(stored.existed ? 200 : 201).send({ existed: stored.existed });
  } catch (error) {
    // Read the rest of the body so the connection stays usable and the sender sees the status.
    body.resume();
    return sendError(reply, error);
  } finally {
    if (!body.readableEnded) body.resume();
  }
}

async function getHandler(deps: BlobRouteDeps, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const end = deps.metrics.operationDuration.startTimer({ operation: 'get' });
  try {
    const sha256 = shaParam(request);
    const range = parseRange(request.headers.range);
    const info = await deps.store.stat(sha256);
    if (!info) throw new BlobStoreError('NOT_FOUND', `blob ${sha256} is not stored here`);
    const stream = await deps.store.open(sha256, range);
    const length = range ? range.length : info.size;
    stream.on('data', (chunk: Buffer) => deps.metrics.bytes.inc({ direction: 'out' }, chunk.length));
    stream.on('end', () => end());
    void reply.header('content-length', String(length)).type('application/octet-stream');
    if (range) void reply.status(206).header('content-range', `bytes ${range.offset}-${range.offset + range.length - 1}/${info.size}`);
    return await reply.send(stream);
  } catch (error) {
    return sendError(reply, error);
  }
}

export function registerBlobRoutes(app: FastifyInstance, deps: BlobRouteDeps): void {
  void app.register((scope, _options, registered) => {
    scope.removeAllContentTypeParsers();
    // No parsing, no buffering: the handler streams the socket to disk.
    scope.addContentTypeParser('*', (_request, payload, done) => { done(null, payload); });
    scope.addHook('onRequest', (request, reply, done) => {
      if (isAuthorized(request.headers.authorization, deps.secret)) { done(); return; }
      void reply.status(401).send({ code: 'UNAVAILABLE', message: 'cluster credential required' });
    });
    scope.put(`${BLOB_PATH}/:sha256`, (request, reply) => putHandler(deps, request, reply));
    scope.get(`${BLOB_PATH}/:sha256`, { exposeHeadRoute: false }, (request, reply) => getHandler(deps, request, reply));
    scope.head(`${BLOB_PATH}/:sha256`, async (request, reply) => {
      try {
        const info = await deps.store.stat(shaParam(request));
        if (!info) throw new BlobStoreError('NOT_FOUND', 'absent');
        return await reply.header('x-blob-size', String(info.size)).status(200).send();
      } catch (error) {
        return sendError(reply, error);
      }
    });
    scope.delete(`${BLOB_PATH}/:sha256`, async (request, reply) => {
      try {
        return await reply.status((await deps.store.remove(shaParam(request))) ? 204 : 404).send();
      } catch (error) {
        return sendError(reply, error);
      }
    });
    registered();
  });
}
