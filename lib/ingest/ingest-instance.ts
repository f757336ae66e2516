// The one ingest path (contract: ingest-types.ts). The object streams once: into a spool file, through
// SHA-256 and through the header reader, which keeps only the header. Then, in this order: validation,
// the blob put (durable), the catalog (visible). The spool file is always removed. See README.md.
import { createReadStream } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { InstanceRecord } from '../archive/catalog.ts';
import { BlobStoreError, type StoredBlob } from '../blob-store/blob-store.ts';
import { createHeaderReader } from '../dicom/read-header.ts';
import type { ParsedInstance } from '../dicom/parsed-instance.ts';
import { OutcomeError, type OutcomeCode } from '../outcome/outcome.ts';
import type { IngestContext, IngestDeps, IngestedIds, IngestResult } from './ingest-types.ts';
import { spoolBody } from './spool-body.ts';

/** Largest header (everything before Pixel Data) the reader keeps in memory. */
export const MAX_HEADER_BYTES = 64 * 1024 * 1024;

function rejected(outcome: OutcomeCode, reason: string, ids?: Partial<IngestedIds>, warnings: readonly string[] = []): IngestResult {
  return { status: 'rejected', outcome, reason, ...(ids ? { ids } : {}), warnings };
}

function idsOf(parsed: ParsedInstance): IngestedIds {
  return {
    sopClassUid: parsed.sopClassUid, sopInstanceUid: parsed.sopInstanceUid,
    studyInstanceUid: parsed.studyInstanceUid, seriesInstanceUid: parsed.seriesInstanceUid,
  };
}

/** What the request itself announced, checked against the data set. */
function checkAnnounced(parsed: ParsedInstance, context: IngestContext): IngestResult | undefined {
  const ids = idsOf(parsed);
  if (context.expectedStudyInstanceUid !== undefined && context.expectedStudyInstanceUid !== parsed.studyInstanceUid) {
    return rejected('studyUidMismatch', 'StudyInstanceUID of the instance differs from the study of the request', ids, parsed.warnings);
  }
  if (context.announcedSopClassUid !== undefined && context.announcedSopClassUid !== parsed.sopClassUid) {
    return rejected('sopClassMismatch', 'SOPClassUID of the data set differs from the Affected SOP Class UID of the request', ids, parsed.warnings);
  }
  if (context.announcedSopInstanceUid !== undefined && context.announcedSopInstanceUid !== parsed.sopInstanceUid) {
    return rejected('cannotUnderstand', 'SOPInstanceUID of the data set differs from the Affected SOP Instance UID of the request', ids, parsed.warnings);
  }
  if (parsed.mediaStorageSopClassUid !== undefined && parsed.mediaStorageSopClassUid !== parsed.sopClassUid) {
    return rejected('sopClassMismatch', 'MediaStorageSOPClassUID of the file meta information differs from SOPClassUID', ids, parsed.warnings);
  }
  return undefined;
}

function blobFailure(error: unknown): { outcome: OutcomeCode; reason: string } {
  if (error instanceof BlobStoreError) {
    if (error.code === 'FULL') return { outcome: 'outOfResources', reason: 'the blob store is full' };
    if (error.code === 'UNAVAILABLE') return { outcome: 'serviceUnavailable', reason: 'the blob store is unavailable' };
    return { outcome: 'processingFailure', reason: `the blob store failed (${error.code})` };
  }
  return { outcome: 'processingFailure', reason: 'the blob store failed' };
}

function recordOf(parsed: ParsedInstance, blob: StoredBlob, context: IngestContext): InstanceRecord {
  return {
    ...idsOf(parsed), transferSyntaxUid: parsed.transferSyntaxUid, sha256: blob.sha256, size: blob.size,
    frames: parsed.frames, bulkData: parsed.bulkData, dataset: parsed.dataset, receivedAt: new Date(),
    source: context.origin ? `${context.source}:${context.origin}` : context.source,
  };
}

async function storeParsed(deps: IngestDeps, spool: string, parsed: ParsedInstance, sha256: string, size: number, context: IngestContext): Promise<IngestResult> {
  const ids = idsOf(parsed);
  let blob: StoredBlob;
  try {
    blob = await deps.blobs.put({ sha256, size, open: () => createReadStream(spool) });
  } catch (error) {
    const { outcome, reason } = blobFailure(error);
    return rejected(outcome, reason, ids, parsed.warnings);
  }
  let recorded;
  try {
    recorded = await deps.catalog.recordInstance(recordOf(parsed, blob, context), { replace: deps.replaceDuplicates });
  } catch {
    // The blob stays unreferenced and is collected later; nothing half-indexed is visible (README).
    return rejected('processingFailure', 'the index could not record the instance', ids, parsed.warnings);
  }
  const stored = { sha256, size, warnings: parsed.warnings, ...ids };
  switch (recorded.kind) {
    case 'stored':
      return { status: 'stored', ...stored };
    case 'duplicate':
      return { status: 'duplicate', ...stored };
    case 'replaced':
      await deps.blobs.release(recorded.previousSha256).catch(() => undefined);
      return { status: 'stored', ...stored };
    case 'conflict':
      if (!blob.existed) await deps.blobs.release(sha256).catch(() => undefined);
      return rejected('duplicateConflict', 'an instance with this SOP Instance UID is already stored with other content', ids, parsed.warnings);
  }
}

export async function ingestInstance(deps: IngestDeps, body: Readable, context: IngestContext): Promise<IngestResult> {
  const spool = join(deps.spoolDir, `${randomUUID()}.part`);
  try {
    const reader = createHeaderReader({
      defaultCharacterSet: deps.defaultCharacterSet, maxHeaderBytes: MAX_HEADER_BYTES,
      ...(context.transferSyntaxUid !== undefined ? { transferSyntaxUid: context.transferSyntaxUid } : {}),
    });
    const spooled = await spoolBody(body, spool, reader, deps.maxObjectBytes);
    if (spooled.kind === 'failed') return rejected(spooled.outcome, spooled.reason);
    if (context.expectedSha256 !== undefined && context.expectedSha256 !== spooled.sha256) {
      // Damaged on the way: nothing is stored, and the sender may send the same object again.
      return rejected('processingFailure', `content hash mismatch: the sender announced ${context.expectedSha256}, the bytes hash to ${spooled.sha256}`);
    }
    let parsed: ParsedInstance;
    try {
      parsed = reader.finish();
    } catch (error) {
      if (error instanceof OutcomeError) return rejected(error.outcome, error.message);
      return rejected('cannotUnderstand', 'the object could not be parsed');
    }
    return checkAnnounced(parsed, context) ?? await storeParsed(deps, spool, parsed, spooled.sha256, spooled.size, context);
  } finally {
    await rm(spool, { force: true });
  }
}
