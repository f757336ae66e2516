// C-MOVE sub-operations: C-STORE of stored instances to a peer of YY_DICOM_PEERS, as an SCU, with the
// stored bytes unchanged. Instances go in batches of bounded size, one association per batch, so a
// large study never sits in memory at once (dcmjs-dimse needs each request's data set whole before the
// association starts).
import dimse from 'dcmjs-dimse';
import type { DicomPeer } from '../../lib/config/load-config.ts';
import type { BlobStore } from '../../lib/blob-store/blob-store.ts';
import type { InstanceRecord } from '../../lib/archive/catalog.ts';
import { loadStoredDataSet } from './raw-dataset.ts';

const { Client } = dimse;
const { CStoreRequest } = dimse.requests;
const { PresentationContext } = dimse.association;

const BATCH_BYTES = 32 * 1024 * 1024;
const BATCH_COUNT = 64;

export interface SubOperationResult {
  readonly sopInstanceUid: string;
  /** The peer's C-STORE status, or undefined when it never answered (rejected context, lost link). */
  readonly status: number | undefined;
}

export interface MoveSenderOptions {
  readonly ownAeTitle: string;
  readonly timeoutSeconds: number;
  /** Called after each sub-operation (for the pending C-MOVE responses); false stops after the batch (cancel). */
  readonly onResult: (result: SubOperationResult) => boolean;
  /** An instance whose bytes could not be read (a hospital edge unreachable): its sub-operation failed. */
  readonly onUnreadable?: (sopInstanceUid: string, error: Error) => void;
}

/** Splits instances into batches of at most BATCH_COUNT objects and about BATCH_BYTES bytes. */
export function batchInstances(records: readonly InstanceRecord[]): InstanceRecord[][] {
  const batches: InstanceRecord[][] = [];
  let current: InstanceRecord[] = [];
  let bytes = 0;
  for (const record of records) {
    if (current.length > 0 && (current.length >= BATCH_COUNT || bytes + record.size > BATCH_BYTES)) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(record);
    bytes += record.size;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

async function sendBatch(peer: DicomPeer, blobs: BlobStore, batch: readonly InstanceRecord[], options: MoveSenderOptions): Promise<boolean> {
  const client = new Client();
  const answered = new Map<string, number>();
  let keepGoing = true;
  const proposed = new Set<string>();
  const readable: InstanceRecord[] = [];
  for (const record of batch) {
    let dataset: Awaited<ReturnType<typeof loadStoredDataSet>>;
    try {
      dataset = await loadStoredDataSet(blobs, record);
    } catch (error) {
      options.onUnreadable?.(record.sopInstanceUid, error as Error);
      if (!options.onResult({ sopInstanceUid: record.sopInstanceUid, status: undefined })) keepGoing = false;
      continue;
    }
    readable.push(record);
    const request = new CStoreRequest(dataset);
    request.on('response', (response: { getStatus(): number }) => {
      answered.set(record.sopInstanceUid, response.getStatus());
      if (!options.onResult({ sopInstanceUid: record.sopInstanceUid, status: response.getStatus() })) keepGoing = false;
    });
    client.addRequest(request);
    // A context with exactly the stored syntax, so the peer can take the bytes as they are.
    const key = `${record.sopClassUid}|${record.transferSyntaxUid}`;
    if (!proposed.has(key)) {
      proposed.add(key);
      client.addAdditionalPresentationContext(new PresentationContext(0, record.sopClassUid, record.transferSyntaxUid), true);
    }
  }
  if (readable.length === 0) return keepGoing;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => { client.abort(); resolve(); }, options.timeoutSeconds * 1000 * Math.max(1, readable.length));
    const finish = () => { clearTimeout(timer); resolve(); };
    client.on('closed', finish);
    client.on('associationRejected', finish);
    client.on('networkError', finish);
    client.send(peer.host, peer.port, options.ownAeTitle, peer.aeTitle, {
      connectTimeout: options.timeoutSeconds * 1000, associationTimeout: options.timeoutSeconds * 1000, pduTimeout: options.timeoutSeconds * 1000,
    });
  });
  for (const record of readable) {
    if (!answered.has(record.sopInstanceUid)) options.onResult({ sopInstanceUid: record.sopInstanceUid, status: undefined });
  }
  return keepGoing;
}

/** Sends every instance to the peer; stops between batches when onResult asks to. */
export async function sendToPeer(peer: DicomPeer, blobs: BlobStore, records: readonly InstanceRecord[], options: MoveSenderOptions): Promise<void> {
  for (const batch of batchInstances(records)) {
    if (!(await sendBatch(peer, blobs, batch, options))) return;
  }
}
