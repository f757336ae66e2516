// The city's end of an edge upload (lib/edge/edge-protocol.ts): one chunked transfer carries an object
// (centralized hospital: through the one ingest path), an index entry (distributed hospital: the
// instance becomes visible with its pixels left at the edge) or a series thumbnail. The SHA-256 the
// edge announced is checked before anything becomes visible; a refusal says whether a retry can help.
// Same bytes again (a retry) is a duplicate: the effect is once per SOP Instance UID.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { isSha256 } from '../../lib/blob-store/blob-store.ts';
import { edgeSource } from '../../lib/edge/edge-schema.ts';
import { fromUploadedIndex, refusalMessage, type UploadAttributes, type UploadedIndex } from '../../lib/edge/edge-protocol.ts';
import { OUTCOMES, type OutcomeCode } from '../../lib/outcome/outcome.ts';
import { blobLocationRow, BLOB_LOCATIONS_TABLE } from '../../lib/retrieval/blob-locations.ts';
import type { TransferMeta } from '../../storage-nodes/nats-chunk-transfer.ts';
import { hospitalOfEdge, type GatewayDeps } from './gateway-deps.ts';

/** An index entry is a header without bulk data: a few hundred KiB at most; anything larger is refused. */
export const MAX_INDEX_BYTES = 16 * 1024 * 1024;
const MAX_THUMBNAIL_BYTES = 16 * 1024 * 1024;

function refuse(outcome: OutcomeCode, reason: string): Error {
  return new Error(refusalMessage({ retryable: OUTCOMES[outcome].retryable, outcome, reason }));
}

function attributesOf(meta: TransferMeta): UploadAttributes {
  const a = meta.attributes ?? {};
  const kind = a.kind;
  if (kind !== 'object' && kind !== 'index' && kind !== 'thumbnail') throw refuse('unableToProcess', `unknown upload kind ${String(kind)}`);
  return {
    kind, hospitalId: a.hospitalId ?? '', edgeNodeId: a.edgeNodeId ?? '', studyInstanceUid: a.studyInstanceUid ?? '',
    seriesInstanceUid: a.seriesInstanceUid ?? '', ...(a.sopInstanceUid !== undefined ? { sopInstanceUid: a.sopInstanceUid } : {}),
  };
}

/** The whole transfer in memory, refused past `limit` bytes, checked against the announced hash. */
async function readBounded(meta: TransferMeta, stream: Readable, limit: number): Promise<Buffer> {
  if (meta.size > limit) throw refuse('cannotUnderstand', `${meta.size} bytes is more than the ${limit} an upload of this kind may have`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const bytes = chunk as Buffer;
    size += bytes.length;
    if (size > limit) throw refuse('cannotUnderstand', `more than the ${limit} bytes an upload of this kind may have`);
    chunks.push(bytes);
  }
  const body = Buffer.concat(chunks, size);
  const sha256 = createHash('sha256').update(body).digest('hex');
  if (sha256 !== meta.sha256) throw refuse('processingFailure', `content hash mismatch: the sender announced ${meta.sha256}, the bytes hash to ${sha256}`);
  return body;
}

async function acceptObject(deps: GatewayDeps, meta: TransferMeta, attributes: UploadAttributes, stream: Readable): Promise<void> {
  const result = await deps.archive.ingest(stream, { source: 'edge', origin: attributes.hospitalId, expectedSha256: meta.sha256 });
  if (result.status === 'rejected') throw refuse(result.outcome, result.reason);
}

function parseIndex(body: Buffer, attributes: UploadAttributes): UploadedIndex {
  let value: UploadedIndex;
  try {
    value = JSON.parse(body.toString('utf8')) as UploadedIndex;
  } catch {
    throw refuse('cannotUnderstand', 'the index entry is not JSON');
  }
  const matches = value.studyInstanceUid === attributes.studyInstanceUid && value.seriesInstanceUid === attributes.seriesInstanceUid
    && value.sopInstanceUid === attributes.sopInstanceUid;
  if (!matches || typeof value.sha256 !== 'string' || !isSha256(value.sha256) || typeof value.size !== 'number' || !Array.isArray(value.frames)) {
    throw refuse('cannotUnderstand', 'the index entry is incomplete or names other UIDs than the upload');
  }
  return value;
}

async function acceptIndex(deps: GatewayDeps, meta: TransferMeta, attributes: UploadAttributes, stream: Readable): Promise<void> {
  const entry = parseIndex(await readBounded(meta, stream, MAX_INDEX_BYTES), attributes);
  const record = { ...fromUploadedIndex(entry), source: `edge:${attributes.hospitalId}` };
  // The location first: an instance the catalog shows always has somewhere to read its bytes from.
  await deps.engine.write([{
    kind: 'put', table: BLOB_LOCATIONS_TABLE, row: blobLocationRow({
      sha256: record.sha256, source: edgeSource(attributes.hospitalId), kind: 'edge', hospitalId: attributes.hospitalId,
      nodeId: attributes.edgeNodeId, studyInstanceUid: record.studyInstanceUid, seriesInstanceUid: record.seriesInstanceUid,
      sopInstanceUid: record.sopInstanceUid, size: record.size,
    }, new Date()),
  }]);
  const outcome = await deps.archive.catalog.recordInstance(record, { replace: deps.replaceDuplicates });
  if (outcome.kind === 'conflict') throw refuse('duplicateConflict', `SOP Instance UID ${record.sopInstanceUid} is indexed with other bytes`);
  if (outcome.kind === 'replaced') await deps.archive.blobs.release(outcome.previousSha256);
}

async function acceptThumbnail(deps: GatewayDeps, meta: TransferMeta, attributes: UploadAttributes, stream: Readable): Promise<void> {
  if (meta.size > MAX_THUMBNAIL_BYTES) throw refuse('cannotUnderstand', `a thumbnail of ${meta.size} bytes is too large`);
  const path = join(deps.archive.spoolDir, `thumbnail-${randomBytes(8).toString('hex')}`);
  await mkdir(deps.archive.spoolDir, { recursive: true });
  try {
    const hash = createHash('sha256');
    let size = 0;
    await pipeline(stream, async function* (source: AsyncIterable<Buffer>) {
      for await (const chunk of source) {
        size += chunk.length;
        if (size > MAX_THUMBNAIL_BYTES) throw refuse('cannotUnderstand', 'the thumbnail is too large');
        hash.update(chunk);
        yield chunk;
      }
    }, createWriteStream(path));
    const sha256 = hash.digest('hex');
    if (sha256 !== meta.sha256) throw refuse('processingFailure', `content hash mismatch: the sender announced ${meta.sha256}, the bytes hash to ${sha256}`);
    await deps.archive.blobs.put({ sha256, size, open: () => createReadStream(path) });
    await deps.engine.write([{
      kind: 'put', table: 'series_thumbnails', row: {
        study_uid: attributes.studyInstanceUid, series_uid: attributes.seriesInstanceUid, sha256, size, media_type: 'image/jpeg', recorded_at: new Date(),
      },
    }]);
  } finally {
    await rm(path, { force: true });
  }
}

/** The `accept` of serveChunkTransfers on the upload subject. */
export function createUploadAcceptor(deps: GatewayDeps): (meta: TransferMeta, stream: Readable) => Promise<void> {
  return async (meta, stream) => {
    const attributes = attributesOf(meta);
    if (!hospitalOfEdge(deps.topology, attributes.hospitalId, attributes.edgeNodeId)) {
      throw refuse('notAuthorized', `node ${attributes.edgeNodeId} is not the edge of hospital ${attributes.hospitalId} in the topology`);
    }
    if (!isSha256(meta.sha256)) throw refuse('cannotUnderstand', 'the upload announces no SHA-256');
    switch (attributes.kind) {
      case 'object': return acceptObject(deps, meta, attributes, stream);
      case 'index': return acceptIndex(deps, meta, attributes, stream);
      case 'thumbnail': return acceptThumbnail(deps, meta, attributes, stream);
    }
  };
}
