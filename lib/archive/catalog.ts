// The catalog port: what the archive knows about its instances, kept in the index tables
// (lib/archive/archive-schema.ts on lib/index-model). Ingest writes it; DICOMweb and DIMSE read it.
// Implemented by lib/archive/index-catalog.ts over an IndexEngine.
import type { ByteRange } from '../blob-store/blob-store.ts';
import type { DicomJsonDataset } from '../dicom/dicom-json.ts';
import type { Query, QueryResult } from '../dicom-query/query.ts';

export interface InstanceRecord {
  readonly studyInstanceUid: string;
  readonly seriesInstanceUid: string;
  readonly sopInstanceUid: string;
  readonly sopClassUid: string;
  readonly transferSyntaxUid: string;
  /** The blob that holds the object's bytes, unchanged from how it arrived. */
  readonly sha256: string;
  readonly size: number;
  readonly frames: readonly (readonly ByteRange[])[];
  readonly bulkData: Readonly<Record<string, ByteRange>>;
  /** Header as DICOM JSON without bulk data (what series /metadata returns for it). */
  readonly dataset: DicomJsonDataset;
  readonly receivedAt: Date;
  /** 'stow' | 'c-store' | 'import' | 'edge' and the calling AE or client where known. */
  readonly source: string;
}

export type RecordOutcome =
  | { readonly kind: 'stored' }
  /** Same SOP Instance UID, same bytes: nothing changed. */
  | { readonly kind: 'duplicate' }
  /** Same SOP Instance UID, other bytes, and replacing was not asked for. */
  | { readonly kind: 'conflict'; readonly existingSha256: string }
  /** Same SOP Instance UID, other bytes, replaced: the old blob may be released. */
  | { readonly kind: 'replaced'; readonly previousSha256: string };

export interface Catalog {
  /** Indexes an instance in every table. Call only once its blob is durable. */
  recordInstance(record: InstanceRecord, options: { readonly replace: boolean }): Promise<RecordOutcome>;
  getInstance(sopInstanceUid: string): Promise<InstanceRecord | undefined>;
  /** QIDO-RS / C-FIND at any level. */
  search(query: Query): Promise<QueryResult>;
  /** Instances of a study (optionally one series), in series then instance order, for retrieve. */
  listInstances(studyInstanceUid: string, seriesInstanceUid?: string): Promise<readonly InstanceRecord[]>;
  /** DICOM JSON of every instance of a series, read from the pre-aggregated bundle (one read). */
  seriesMetadata(studyInstanceUid: string, seriesInstanceUid: string): Promise<readonly DicomJsonDataset[]>;
  /** Whether a visible instance's bytes are this blob (garbage collection asks before removing bytes). */
  isBlobReferenced(sha256: string): Promise<boolean>;
  /** Removes the instance from every table; returns its blob hash for release. */
  deleteInstance(sopInstanceUid: string): Promise<string | undefined>;
}
