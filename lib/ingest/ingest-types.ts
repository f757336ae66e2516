// The one ingest path's contract: STOW-RS, C-STORE, the import CLI and the hospital edge all call
// ingestInstance() (lib/ingest/ingest-instance.ts) and map its per-item result to their protocol.
import type { Readable } from 'node:stream';
import type { BlobStore } from '../blob-store/blob-store.ts';
import type { Catalog } from '../archive/catalog.ts';
import type { OutcomeCode } from '../outcome/outcome.ts';

export type IngestSourceKind = 'stow' | 'c-store' | 'import' | 'edge' | 'remote';

export interface IngestContext {
  readonly source: IngestSourceKind;
  /** Calling AE title or HTTP client, for the record (never logged with patient data). */
  readonly origin?: string;
  /** STOW-RS to /studies/{study}: the instance must belong to this study. */
  readonly expectedStudyInstanceUid?: string;
  /** DIMSE: the SOP class and instance the command announced (must match the data set). */
  readonly announcedSopClassUid?: string;
  readonly announcedSopInstanceUid?: string;
  /** DIMSE: the transfer syntax of the presentation context (the data set has no Part 10 header). */
  readonly transferSyntaxUid?: string;
  /** Edge uploads: the SHA-256 the edge computed; other bytes are rejected before anything is stored. */
  readonly expectedSha256?: string;
}

export interface IngestDeps {
  readonly blobs: BlobStore;
  readonly catalog: Catalog;
  /** Directory for spool files (same file system as nothing in particular; removed after each ingest). */
  readonly spoolDir: string;
  /** Replace an instance stored with other bytes instead of rejecting the new one. */
  readonly replaceDuplicates: boolean;
  /** Character set assumed when an object declares none (e.g. 'GB18030' for Chinese sites). */
  readonly defaultCharacterSet: string;
  /** Largest object accepted, in bytes. */
  readonly maxObjectBytes: number;
}

export interface IngestedIds {
  readonly sopClassUid: string;
  readonly sopInstanceUid: string;
  readonly studyInstanceUid: string;
  readonly seriesInstanceUid: string;
}

export type IngestResult =
  | ({ readonly status: 'stored' | 'duplicate'; readonly sha256: string; readonly size: number; readonly warnings: readonly string[]; readonly warningOutcome?: OutcomeCode } & IngestedIds)
  | { readonly status: 'rejected'; readonly outcome: OutcomeCode; readonly reason: string; readonly ids?: Partial<IngestedIds>; readonly warnings: readonly string[] };

export type IngestInstance = (deps: IngestDeps, body: Readable, context: IngestContext) => Promise<IngestResult>;
