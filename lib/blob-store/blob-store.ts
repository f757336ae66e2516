// The blob store port: where DICOM objects and derived objects (thumbnails, ...) live, addressed by the
// SHA-256 of their bytes. Small on purpose (cf. Orthanc's storage area): the embedded default uses one
// local disk (storage-nodes/disk-store.ts), the cluster places replicas over the storage nodes
// (storage-nodes/). Bytes always travel as streams: no method takes or returns a whole object.
import type { Readable } from 'node:stream';

/** Bytes whose hash and size the caller already knows (ingest computes them while spooling). */
export interface BlobSource {
  /** Lower-case hex SHA-256 of the bytes. */
  readonly sha256: string;
  readonly size: number;
  /** A fresh stream of the bytes; called once per replica attempt, so it must be re-openable. */
  open(): Readable;
}

/** A byte range of a blob: `length` bytes from `offset`. */
export interface ByteRange {
  readonly offset: number;
  readonly length: number;
}

export interface StoredBlob {
  readonly sha256: string;
  readonly size: number;
  /** Storage node IDs that hold the blob durably (one for the local disk). */
  readonly replicas: readonly string[];
  /** True when the blob was already stored (same bytes): nothing was written. */
  readonly existed: boolean;
}

export interface BlobStat {
  readonly sha256: string;
  readonly size: number;
}

export interface BlobStore {
  /** Resolves once the bytes are durable (fsynced, at write quorum). The store recomputes the hash and
   * rejects with BlobStoreError('HASH_MISMATCH') when the bytes are not what `sha256` says. Idempotent. */
  put(source: BlobSource): Promise<StoredBlob>;
  /** The bytes (or a range of them). A full read verifies the hash as it streams and errors the stream
   * with BlobStoreError('CORRUPT') at its end when they differ; rejects with 'NOT_FOUND' when absent. */
  open(sha256: string, range?: ByteRange): Promise<Readable>;
  stat(sha256: string): Promise<BlobStat | undefined>;
  /** Tells the store that an index entry no longer references the blob: the bytes are removed after the
   * store's grace period unless an index entry still references them then. */
  release(sha256: string): Promise<void>;
}

export type BlobStoreErrorCode = 'NOT_FOUND' | 'CORRUPT' | 'HASH_MISMATCH' | 'FULL' | 'UNAVAILABLE' | 'INVALID_RANGE';

export class BlobStoreError extends Error {
  readonly code: BlobStoreErrorCode;
  constructor(code: BlobStoreErrorCode, message: string) {
    super(message);
    this.name = 'BlobStoreError';
    this.code = code;
  }
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

export function isSha256(value: string): boolean {
  return SHA256_HEX.test(value);
}
