// What a hospital edge node (前置机) and the city say to each other over NATS. The edge dials out to
// the city through a NATS leaf-node connection (docs/operations.md, "Hospital edge"); everything below
// travels on that one connection, so the hospital opens no inbound port.
//
// - Bulk bytes (objects, index records, thumbnails, fetched frames) travel as chunked transfers with
//   credit-based flow control (storage-nodes/nats-chunk-transfer.ts): bounded memory on both sides,
//   chunks sized from the server's max_payload, a lost chunk fails the transfer (the sender retries it).
// - Control messages (heartbeats, study complete) are NATS request/reply with JSON bodies.
//
// Delivery is at least once (the edge retries until the city confirms); the effect is exactly once
// because the city's ingest is idempotent per SOP Instance UID (same bytes: duplicate, counted once)
// and every transfer carries the SHA-256 the city verifies before anything becomes visible.
// Subjects are scoped by platform id (the Moleculer namespace), so two platforms can share a server.
import type { InstanceRecord } from '../archive/catalog.ts';
import type { ByteRange } from '../blob-store/blob-store.ts';
import type { StorageMode } from '../../topology/topology-types.ts';

/** City nodes with the `ingest` role serve these in one queue group, so each message reaches one of them. */
export const CITY_QUEUE_GROUP = 'yunying-city-ingest';

export const edgeSubjects = (platformId: string) => ({
  /** Chunked transfers edge -> city (served by city ingest nodes, queue group CITY_QUEUE_GROUP). */
  upload: `yy.${platformId}.edge.upload`,
  /** Request/reply edge -> city: EdgeControlRequest -> EdgeControlReply (queue group CITY_QUEUE_GROUP). */
  control: `yy.${platformId}.edge.control`,
  /** Request/reply city -> one edge: FetchRequest -> FetchReply, then the edge sends a chunked
   * transfer of the bytes to `FetchRequest.deliverTo`. */
  fetch: (hospitalId: string) => `yy.${platformId}.edge.${hospitalId}.fetch`,
});

/** What an upload transfer carries; it rides in the chunked transfer's open request (`TransferMeta.attributes`). */
export type UploadKind =
  /** centralized: the DICOM Part 10 object, ingested through the city's one ingest path. */
  | 'object'
  /** distributed: the instance's index entry and metadata (UploadedIndex as UTF-8 JSON); pixels stay at the edge. */
  | 'index'
  /** distributed: a series thumbnail (image/jpeg), so the city shows it without asking the edge. */
  | 'thumbnail';

export interface UploadAttributes {
  readonly kind: UploadKind;
  readonly hospitalId: string;
  /** The edge node's id (Moleculer nodeID). */
  readonly edgeNodeId: string;
  readonly studyInstanceUid: string;
  readonly seriesInstanceUid: string;
  /** Absent for a thumbnail. */
  readonly sopInstanceUid?: string;
}

/** The body of an 'index' upload: an InstanceRecord as JSON (receivedAt as ISO 8601 text). */
export type UploadedIndex = Omit<InstanceRecord, 'receivedAt'> & { readonly receivedAt: string };

export function toUploadedIndex(record: InstanceRecord): UploadedIndex {
  return { ...record, receivedAt: record.receivedAt.toISOString() };
}

export function fromUploadedIndex(value: UploadedIndex): InstanceRecord {
  return { ...value, receivedAt: new Date(value.receivedAt) };
}

/**
 * How the city answers an upload: the chunked transfer's confirmation succeeds for 'stored' and
 * 'duplicate'; a refusal fails it with an Error whose message starts with `UPLOAD_REFUSED_PREFIX`
 * followed by JSON `UploadRefusal`. Any other failure (timeout, lost chunk, city unavailable) is
 * transient: the edge retries with backoff.
 */
export const UPLOAD_REFUSED_PREFIX = 'refused: ';

export interface UploadRefusal {
  /** True when sending the same bytes again can succeed (out of resources, index unavailable). */
  readonly retryable: boolean;
  /** Outcome code of lib/outcome/outcome.ts (e.g. 'conflict', 'cannotUnderstand'). */
  readonly outcome: string;
  readonly reason: string;
}

export function refusalMessage(refusal: UploadRefusal): string {
  return UPLOAD_REFUSED_PREFIX + JSON.stringify(refusal);
}

/** Undefined when the error is not a refusal by the city (then it is transient). */
export function parseRefusal(message: string): UploadRefusal | undefined {
  if (!message.startsWith(UPLOAD_REFUSED_PREFIX)) return undefined;
  try {
    return JSON.parse(message.slice(UPLOAD_REFUSED_PREFIX.length)) as UploadRefusal;
  } catch {
    return undefined;
  }
}

/** What an edge reports about itself every YY_EDGE_HEARTBEAT_SECONDS. No patient data. */
export interface EdgeStatus {
  readonly hospitalId: string;
  readonly edgeNodeId: string;
  readonly storageMode: StorageMode;
  readonly version: string;
  /** Items waiting to be uploaded (pending or waiting for a retry). */
  readonly queueDepth: number;
  /** Age of the oldest waiting item, in seconds (0 when the queue is empty). */
  readonly oldestPendingSeconds: number;
  /** Items the city refused for good (they need an operator). */
  readonly failedItems: number;
  /** Unix milliseconds of the last upload the city confirmed, absent before the first. */
  readonly lastUploadAt?: number;
  readonly uploadedBytesTotal: number;
  readonly disk: { readonly usedBytes: number; readonly freeBytes: number; readonly capacityBytes: number };
  /** Unix milliseconds on the edge's clock when the report was made. */
  readonly reportedAt: number;
}

export type EdgeControlRequest =
  | { readonly type: 'heartbeat'; readonly status: EdgeStatus }
  /**
   * The study has been stable at the edge for YY_EDGE_STUDY_STABLE_SECONDS and every one of its
   * instances was confirmed by the city. The city checks that it indexes each listed instance, then
   * records the study as complete (and says which instances it misses, if any).
   */
  | {
    readonly type: 'study-complete'; readonly hospitalId: string; readonly edgeNodeId: string;
    readonly studyInstanceUid: string; readonly sopInstanceUids: readonly string[];
  };

export type EdgeControlReply =
  | { readonly ok: true; readonly type: 'heartbeat' }
  | { readonly ok: true; readonly type: 'study-complete'; readonly complete: boolean; readonly missing: readonly string[] }
  | { readonly ok: false; readonly error: string };

/** City -> edge: send these bytes of one blob (a frame range, or the whole object) to `deliverTo`. */
export interface FetchRequest {
  readonly sha256: string;
  readonly range?: ByteRange;
  /** Subject the city serves the chunked transfer on (serveChunkTransfers on a fresh inbox). */
  readonly deliverTo: string;
  /** Transfer id the city expects (TransferMeta.id), so a late answer to an abandoned request is ignored. */
  readonly transferId: string;
}

export type FetchReply =
  | { readonly ok: true; readonly size: number }
  | { readonly ok: false; readonly code: 'NOT_FOUND' | 'INVALID_RANGE' | 'UNAVAILABLE'; readonly error: string };
