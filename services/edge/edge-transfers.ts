// What the edge sends to the city over its link (lib/edge/edge-protocol.ts): one queue row per upload
// (the object in centralized mode, its index entry in distributed mode), series thumbnails, and the
// control requests. Object bytes pass the shared bandwidth limiter on their way out.
import { createHash, randomUUID } from 'node:crypto';
import { Readable, Transform } from 'node:stream';
import type { NatsConnection } from 'nats';
import type { Catalog } from '../../lib/archive/catalog.ts';
import { BlobStoreError, type BlobStore } from '../../lib/blob-store/blob-store.ts';
import {
  edgeSubjects, toUploadedIndex, type EdgeControlReply, type EdgeControlRequest, type UploadAttributes, type UploadKind,
} from '../../lib/edge/edge-protocol.ts';
import type { StudyCompleteAnswer } from '../../lib/edge/report-studies.ts';
import type { QueueRow } from '../../lib/edge/upload-queue.ts';
import { UploadItemError } from '../../lib/edge/upload-worker.ts';
import type { StorageMode } from '../../topology/topology-types.ts';
import { sendChunked } from '../../storage-nodes/nats-chunk-transfer.ts';
import type { RateLimiter } from '../../storage-nodes/rate-limiter.ts';

export interface EdgeTransferDeps {
  readonly platformId: string;
  readonly hospitalId: string;
  readonly edgeNodeId: string;
  readonly storageMode: StorageMode;
  readonly catalog: Catalog;
  readonly blobs: BlobStore;
  readonly limiter?: RateLimiter;
  /** How long a silent city may keep a transfer or a request waiting. */
  readonly idleTimeoutMs: number;
}

function limited(source: Readable, limiter: RateLimiter | undefined): Readable {
  if (!limiter) return source;
  const gate = new Transform({
    transform(chunk: Buffer, _encoding, callback) { limiter.take(chunk.length).then(() => callback(null, chunk), callback); },
  });
  source.on('error', (error) => gate.destroy(error));
  return source.pipe(gate);
}

function attributesOf(deps: EdgeTransferDeps, kind: UploadKind, study: string, series: string, sop?: string): Record<string, string> {
  const attributes: UploadAttributes = {
    kind, hospitalId: deps.hospitalId, edgeNodeId: deps.edgeNodeId, studyInstanceUid: study, seriesInstanceUid: series,
    ...(sop !== undefined ? { sopInstanceUid: sop } : {}),
  };
  return { ...attributes };
}

async function sendBytes(nc: NatsConnection, deps: EdgeTransferDeps, bytes: Buffer, attributes: Record<string, string>): Promise<void> {
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  await sendChunked(nc, edgeSubjects(deps.platformId).upload, { id: randomUUID(), sha256, size: bytes.length, attributes },
    limited(Readable.from([bytes]), deps.limiter), deps.idleTimeoutMs);
}

async function openLocal(blobs: BlobStore, sha256: string): Promise<Readable> {
  try {
    return await blobs.open(sha256);
  } catch (error) {
    if (error instanceof BlobStoreError && error.code === 'NOT_FOUND') throw new UploadItemError('the local copy is missing');
    throw error;
  }
}

/** Sends one queue row as its hospital's storage mode says; resolves when the city confirmed it. */
export async function uploadRow(nc: NatsConnection, deps: EdgeTransferDeps, row: QueueRow): Promise<void> {
  const attributes = attributesOf(deps, deps.storageMode === 'centralized' ? 'object' : 'index', row.studyInstanceUid, row.seriesInstanceUid, row.sopInstanceUid);
  if (deps.storageMode === 'centralized') {
    const local = await openLocal(deps.blobs, row.sha256);
    try {
      await sendChunked(nc, edgeSubjects(deps.platformId).upload, { id: randomUUID(), sha256: row.sha256, size: row.size, attributes },
        limited(local, deps.limiter), deps.idleTimeoutMs);
    } finally {
      // A failed transfer stops reading: close the local file.
      local.destroy();
    }
    return;
  }
  const record = await deps.catalog.getInstance(row.sopInstanceUid);
  if (!record || record.sha256 !== row.sha256) throw new UploadItemError('the local index no longer holds this instance with these bytes');
  await sendBytes(nc, deps, Buffer.from(JSON.stringify(toUploadedIndex(record))), attributes);
}

export async function uploadThumbnail(nc: NatsConnection, deps: EdgeTransferDeps, study: string, series: string, jpeg: Buffer): Promise<void> {
  await sendBytes(nc, deps, jpeg, attributesOf(deps, 'thumbnail', study, series));
}

export async function requestControl(nc: NatsConnection, platformId: string, request: EdgeControlRequest, timeoutMs: number): Promise<EdgeControlReply> {
  const msg = await nc.request(edgeSubjects(platformId).control, Buffer.from(JSON.stringify(request)), { timeout: timeoutMs });
  return JSON.parse(Buffer.from(msg.data).toString()) as EdgeControlReply;
}

export async function reportStudyComplete(nc: NatsConnection, deps: EdgeTransferDeps, study: string, sops: readonly string[]): Promise<StudyCompleteAnswer> {
  const reply = await requestControl(nc, deps.platformId, {
    type: 'study-complete', hospitalId: deps.hospitalId, edgeNodeId: deps.edgeNodeId, studyInstanceUid: study, sopInstanceUids: sops,
  }, deps.idleTimeoutMs);
  if (!reply.ok) throw new Error(`the city did not take the study report: ${reply.error}`);
  if (reply.type !== 'study-complete') throw new Error(`unexpected reply ${reply.type} to a study report`);
  return { complete: reply.complete, missing: reply.missing };
}
