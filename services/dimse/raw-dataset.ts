// A data set that dcmjs-dimse sends as the exact bytes we stored (C-MOVE and C-GET sub-operations):
// the library asks a Dataset for its encoding, and this one answers with the stored data set part,
// never re-encoding it. Transcoding is refused (getElements throws), so a context in another transfer
// syntax fails the sub-operation instead of sending something other than what came in.
import type { Readable } from 'node:stream';
import dimse from 'dcmjs-dimse';
import type { BlobStore } from '../../lib/blob-store/blob-store.ts';
import type { InstanceRecord } from '../../lib/archive/catalog.ts';
import { dataSetOffset } from '../../lib/dimse/file-meta.ts';

export class RawDataset extends dimse.Dataset {
  readonly raw: Buffer;

  constructor(record: Pick<InstanceRecord, 'sopClassUid' | 'sopInstanceUid' | 'transferSyntaxUid'>, raw: Buffer) {
    super({ SOPClassUID: record.sopClassUid, SOPInstanceUID: record.sopInstanceUid }, record.transferSyntaxUid);
    this.raw = raw;
  }

  override getDenaturalizedDataset(): Buffer {
    return this.raw;
  }

  override getElements(): Record<string, unknown> {
    throw new Error('stored data sets are sent unchanged: no transcoding');
  }
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** The stored object's data set (the bytes after its Part 10 meta header), verified by the blob store's
 * full-read hash check. dcmjs-dimse encodes a request's data set in one piece, so one object at a time
 * is held in memory while it is sent. */
export async function loadStoredDataSet(blobs: BlobStore, record: InstanceRecord): Promise<RawDataset> {
  const bytes = await readAll(await blobs.open(record.sha256));
  const offset = dataSetOffset(bytes);
  if (offset === undefined) throw new Error(`stored object ${record.sopInstanceUid} has a truncated meta header`);
  return new RawDataset(record, bytes.subarray(offset));
}
