// What ingest learns from an object's header without reading its pixel data (lib/dicom/read-header.ts
// produces it while the bytes stream to the spool).
import type { DicomJsonDataset } from './dicom-json.ts';
import type { ByteRange } from '../blob-store/blob-store.ts';

export interface ParsedInstance {
  readonly sopClassUid: string;
  readonly sopInstanceUid: string;
  readonly studyInstanceUid: string;
  readonly seriesInstanceUid: string;
  readonly transferSyntaxUid: string;
  /** True when the object had a Part 10 header (preamble, DICM, group 0002). */
  readonly hasPart10Header: boolean;
  /** MediaStorageSOPClassUID (0002,0002) when present. */
  readonly mediaStorageSopClassUid?: string;
  /** SpecificCharacterSet as found (possibly empty), and the one actually used to decode text. */
  readonly specificCharacterSet: readonly string[];
  readonly decodedWith: readonly string[];
  /** The whole header as DICOM JSON, text decoded to Unicode, no bulk data: Pixel Data and other bulk
   * elements (> 1 KiB binary) carry a BulkDataURI placeholder `bulk:<tag>:<offset>:<length>` that
   * the DICOMweb layer rewrites into a real URI. */
  readonly dataset: DicomJsonDataset;
  /** Byte ranges (in the stored object) of each frame; for encapsulated pixel data, each frame is the
   * list of its fragments' value ranges. Empty when the object has no pixel data. */
  readonly frames: readonly (readonly ByteRange[])[];
  /** Byte ranges of bulk data elements other than frames, by tag, for WADO-RS bulkdata. */
  readonly bulkData: Readonly<Record<string, ByteRange>>;
  /** Problems that did not stop ingest (coercions, a missing charset defaulted ...). */
  readonly warnings: readonly string[];
}

/** Incremental header reader: ingest pushes the object's bytes in order as they stream to the spool;
 * the reader keeps only the header (up to Pixel Data, bounded by maxHeaderBytes) and walks the pixel
 * data's item structure without keeping it. push() throws OutcomeError early for hostile input
 * (absurd lengths, not DICOM); finish() returns the parse or throws OutcomeError. */
export interface HeaderReader {
  push(chunk: Uint8Array): void;
  finish(): ParsedInstance;
}

export interface HeaderReaderOptions {
  /** Used when the object declares no SpecificCharacterSet. */
  readonly defaultCharacterSet: string;
  /** For a bare data set (DIMSE, no Part 10 header): its transfer syntax. */
  readonly transferSyntaxUid?: string;
  readonly maxHeaderBytes: number;
}

export type CreateHeaderReader = (options: HeaderReaderOptions) => HeaderReader;
